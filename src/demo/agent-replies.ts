import { BugError } from '../shared/index.ts';
import { compileAll, type Template } from './template.ts';

/**
 * What agents write. Routine tickets get macros, a handful of fixed texts per kind of ticket, as real teams
 * answer them; complex ones get replies composed from sentence pieces that name the specifics, so no two read
 * quite the same. Keys are a category or a `category/kind` named by the customer phrasing's `replyKey`.
 */
export type AgentScript =
  | {
      kind: 'macro';
      /** The first reply. */
      macros: readonly string[];
      /** A later reply, when the customer writes back that it did not work. */
      fixes: readonly string[];
    }
  | {
      kind: 'bespoke';
      acks: readonly string[];
      specifics: readonly string[];
      actions: readonly string[];
      nexts: readonly string[];
      /** Later replies in the thread. */
      updates: readonly string[];
      /** Internal notes (not public). */
      notes: readonly string[];
    };

const macro = (macros: readonly string[], fixes: readonly string[]): AgentScript => ({
  kind: 'macro',
  macros,
  fixes,
});

export const AGENT_SCRIPTS: Record<string, AgentScript> = {
  password_reset: macro(
    [
      "I've sent a fresh password reset link to {email}. It's valid for 24 hours, so please use it as soon as you can. If it doesn't show up within a few minutes, check your spam or promotions folder.",
      "Sorry you're having trouble logging in! I've unlocked your account and triggered a new reset email to {email}. Please open the link on the same device you requested it from, as links opened elsewhere can show as expired.",
      'Thanks for getting in touch. You can reset your password at any time from the sign-in page by choosing "Forgot password?". I\'ve also sent a reset link to {email} from our side to save you a step.',
      "Reset links expire after 24 hours and only the most recent one works, which is usually why an older link shows as invalid. I've just sent you a new one to {email}; please use that one and ignore the earlier emails.",
    ],
    [
      "Thanks for trying that. I've now set a temporary password on your account and sent it to {email} separately. You'll be asked to choose a new one when you sign in.",
      "I can see our emails to {email} were being held back by your mail provider. I've cleared the block on our side and resent the link; it should arrive within five minutes.",
      "I've removed the lock on your account from our side. Please try the reset again now and let me know if anything still looks off.",
    ],
  ),
  order_status: macro(
    [
      'Thanks for reaching out! Your order {orderId} has left our warehouse and is with {carrier}. Your tracking number is {tracking}, and the current estimate is delivery within 2-3 working days.',
      "I've checked order {orderId}: it's packed and will be handed to {carrier} today. You'll get an email with the tracking link ({tracking}) as soon as it's scanned.",
      'Good news: order {orderId} is on its way. You can follow it with tracking number {tracking} on the {carrier} website. Tracking can take up to 24 hours to show the first scan.',
      "Order {orderId} is being prepared in our warehouse. Orders normally dispatch within 2 working days, and you'll get a dispatch email with tracking as soon as it leaves us.",
    ],
    [
      "I've contacted {carrier} about {tracking}. They've confirmed the parcel is at their local depot and is booked for delivery tomorrow.",
      'Thanks for your patience. I asked our warehouse to check order {orderId}: it was scanned out this morning, and the tracking should update by tonight.',
    ],
  ),
  // The same replies, split by what the order's status allows the agent to say.
  'order_status/shipped': macro(
    [
      'Thanks for reaching out! Your order {orderId} has left our warehouse and is with {carrier}. Your tracking number is {tracking}, and the current estimate is delivery within 2-3 working days.',
      'Good news: order {orderId} is on its way. You can follow it with tracking number {tracking} on the {carrier} website. Tracking can take up to 24 hours to show the first scan.',
    ],
    [
      "I've contacted {carrier} about {tracking}. They've confirmed the parcel is at their local depot and is booked for delivery tomorrow.",
    ],
  ),
  'order_status/processing': macro(
    [
      "I've checked order {orderId}: it's packed and will be handed to {carrier} today. You'll get an email with the tracking link as soon as it's scanned.",
      "Order {orderId} is being prepared in our warehouse. Orders normally dispatch within 2 working days, and you'll get a dispatch email with tracking as soon as it leaves us.",
    ],
    [
      'Thanks for your patience. I asked our warehouse to check order {orderId}: it was scanned out this morning, and the tracking should update by tonight.',
    ],
  ),
  'billing_question/double': macro(
    [
      'Thanks for flagging this. The second charge you can see is a pre-authorisation from when the first payment attempt timed out. It was never taken, and your bank will release it automatically within 3-5 working days.',
      "I've checked your payments and can confirm you were charged twice for the same order. I've refunded the duplicate payment today; depending on your bank it takes 3-5 working days to show.",
      "I'm sorry about the double charge. One of the two payments has been voided on our side, so only one will stay on your statement. Pending payments can take a few days to drop off.",
    ],
    [
      "I've double-checked with our payments team: the duplicate has been voided. If your bank still shows it after 5 working days, reply here and we'll send a letter you can give them.",
      "The refund for the duplicate payment went out on our side today. I've emailed you the confirmation so you have it for your bank.",
    ],
  ),
  'billing_question/unknown': macro(
    [
      'The {fee} charge shown as {charge} is the monthly fee for {membership}. It renews on the same date each month. You can see or cancel the membership any time under Account > Membership.',
      "That charge is your {membership} renewal. If you didn't mean to keep the membership, I've cancelled it for you now and refunded the last payment in full.",
      "I've looked into your account: the charge comes from the {membership} trial that turned into a paid membership after 30 days. I've cancelled it and refunded the {fee}.",
      'Thanks for asking. Charges from us appear on statements as {charge}. The amount matches your order total plus delivery; I have attached a breakdown.',
    ],
    [
      'You can find all membership payments under Account > Billing history. I have also emailed you a statement for the last 12 months.',
      'No problem: the membership is now cancelled and the last payment has been refunded. You keep your free account and order history.',
    ],
  ),
  'billing_question/pending': macro(
    [
      'When a payment fails at checkout, your bank may still hold the amount for a few days. We never received it, and the hold drops off automatically within 3-5 working days.',
      "I've checked and the payment for that order was never taken on our side. What you see is a temporary hold by your bank, which they will release shortly.",
    ],
    [
      "I've sent your bank a release request from our payment provider. It usually clears within 24 hours after that.",
    ],
  ),
  account_update: macro(
    [
      "All done! I've updated your account details as requested. You'll get a confirmation email shortly, and the change applies to any orders placed from now on.",
      "You can change this yourself under Account > Settings > Personal details, but I've gone ahead and made the update for you this time.",
      "Thanks for letting us know. For security we've sent a confirmation link to the email address on file; once you click it, the change will be applied.",
    ],
    [
      'Sorry about that. There was a sync delay on our side; I have pushed the change through manually and it should now show on your account page.',
      "I've resent the confirmation email. If it still doesn't arrive, please check the spam folder too.",
    ],
  ),
  how_to: macro(
    [
      'Great question! Our help centre has a step-by-step guide on this. In short: sign in, open Account, and follow the prompts on the screen for that option.',
      'Thanks for asking. Sign in, go to Account and choose the option in the menu on the left. The same steps work in the app under the profile icon.',
      'Happy to help. This is covered in our FAQ under "Orders & delivery". If anything on that page is unclear, just reply to this email and we\'ll walk you through it.',
    ],
    [
      "Sorry that wasn't clear. In the app the option is under Profile > Settings rather than Account; on the website it's at the bottom of the Account page.",
    ],
  ),
  shipping_delay: macro(
    [
      "I'm sorry your order {orderId} is running late. I've opened an investigation with {carrier} for tracking number {tracking}. They usually come back to us within 48 hours, and I'll update you as soon as they do.",
      'Sorry about the delay. {carrier} have told us about backlogs in some areas this week. Your parcel {tracking} is moving again and the new estimate is 2-3 working days.',
      "I'm sorry your parcel hasn't arrived. When tracking shows delivered but nothing is there, it's worth checking with neighbours and any safe place. If it hasn't turned up within 48 hours, reply here and we'll send a replacement or refund.",
      "Apologies for the wait. I've arranged a redelivery with {carrier} for the next working day. You'll get a text from them with a delivery window.",
    ],
    [
      "Thanks for checking. As it still hasn't arrived, I've sent a replacement on express delivery at no charge; you'll get tracking by email today.",
      "I've escalated this with {carrier}. If they can't find it by tomorrow, we'll refund you in full, with no need to send anything back.",
    ],
  ),
  order_change: macro(
    [
      "No problem! I've updated order {orderId} as requested. It hadn't been dispatched yet, so the change went through, and you'll get an updated confirmation email.",
      'I caught your order {orderId} just before it was packed and made the change. The delivery estimate stays the same.',
      "Unfortunately order {orderId} had already been packed, so I can't change it now. Once it arrives you can return anything you don't need free of charge.",
    ],
    [
      'The confirmation email can take a little while; I have resent it. The order page shows the change once the warehouse system syncs, usually within an hour.',
      'There is no change in price or delivery date; everything else on the order stays as it was.',
    ],
  ),
  order_cancellation: macro(
    [
      "I've cancelled order {orderId} for you. The refund has gone back to your original payment method and should appear within 3-5 working days.",
      "Done! Order {orderId} is cancelled and you won't be charged. If a pending payment shows on your statement, it will drop off automatically.",
      "I'm sorry, order {orderId} had already been dispatched when your message came in, so I can't cancel it. When it arrives you can return it free of charge within 30 days for a full refund.",
    ],
    [
      'The cancellation email is on its way now. You will get the full amount back to your original payment method.',
      "You're right that the status changed; I've asked {carrier} to return the parcel to us. Your refund will be processed as soon as it arrives.",
    ],
  ),
  invoice_request: macro(
    [
      "I've attached invoice {invoice} for order {orderId} to this email. You can also download invoices any time from Account > Orders > Invoice.",
      "Here's the updated invoice with the details you asked for, attached as a PDF.",
      "I've reissued the invoice for {orderId} with the corrected details and sent it to {email}.",
    ],
    ["Sorry about that, I've regenerated the PDF and attached it again. It should open in any PDF viewer."],
  ),
  feature_request: macro(
    [
      "Thank you for the suggestion! I've passed it on to our product team, who read every idea we collect. We can't promise a date, but requests like yours shape what we build.",
      "Thanks for taking the time to share this. I've logged it as a feature request so the team can see how many customers are asking for it.",
      "That's a great idea, and you're not the first to ask. I've added your vote to the existing request with our product team.",
    ],
    [
      "We don't have a date yet, I'm afraid. New features are announced in our newsletter and on the app's What's New page.",
    ],
  ),
  refund_request: {
    kind: 'bespoke',
    acks: [
      "Thank you for getting in touch about this, and I'm sorry it has taken this long.",
      "I'm sorry the {product} wasn't what you hoped for.",
      'Thanks for your patience while I looked into this.',
      "I completely understand why you'd want a refund here.",
      'Sorry for the trouble with order {orderId}.',
      "I've gone through your order history to get the full picture.",
    ],
    specifics: [
      'I can see the {product} on order {orderId} came to {amount}, paid with the card ending {last4}.',
      "I've found order {orderId} and the {product} you mentioned.",
      'Order {orderId} shows a payment of {amount}, and I can see your message about the {product}.',
      "I've checked {orderId}: the {product} went out with {carrier}, and the payment of {amount} was taken from the card ending {last4}.",
      "I've read through the notes on {orderId} to see what happened with the {product}.",
      'Our records for {orderId} match what you describe, including the {amount} you paid.',
    ],
    actions: [
      "I've issued a full refund of {amount} today.",
      "I've approved the refund of {amount}, and it's on its way back to your original payment method.",
      "I've asked our warehouse team to prioritise the return so we can release the {amount}.",
      "This isn't the experience you should have had, so you don't need to send the {product} back; I've refunded {amount} in full.",
      "I've refunded {amount} to the card ending {last4}.",
      "As a goodwill gesture I've also refunded the delivery charge on top of the {amount}.",
    ],
    nexts: [
      'You should see it on your statement within 3-5 working days, depending on your bank.',
      "I'll keep this ticket open and check back in with you on Friday.",
      "If anything doesn't look right on your statement, just reply here and I'll pick it up straight away.",
      "Once the inspection is done you'll get an email confirming the refund.",
      "Banks can take up to 10 days to show refunds to cards that have been replaced, so don't worry if it's not instant.",
    ],
    updates: [
      'Quick update: the refund of {amount} has now been processed on our side, reference {ref}.',
      'I chased our finance team and the refund for {orderId} went out this morning.',
      "Thanks for sending that over. I've attached it to the case and the refund of {amount} is now approved.",
      'Our warehouse has received the {product} back and the inspection is complete. The refund is on its way.',
      'I checked again: the payment provider confirms the refund of {amount} was sent, reference {ref}.',
    ],
    notes: [
      'Refund of {amount} is over my limit, asking team lead to approve.',
      'Checked payment provider: original capture {amount}, card ending {last4}.',
      'Customer has had two refunds this year, both legitimate. Approving.',
      'Asked warehouse to confirm the return scan for {tracking}.',
      'Goodwill refund of delivery approved by team lead.',
    ],
  },
  bug_report: {
    kind: 'bespoke',
    acks: [
      'Thanks for reporting this, and sorry for the frustration.',
      'Thank you for the detailed description, it really helps.',
      "I'm sorry you ran into this.",
      "Thanks for letting us know; that definitely isn't how it should work.",
    ],
    specifics: [
      "I've managed to reproduce the problem on our side with the same steps you described.",
      'I can see errors from your session in our logs around the time you tried, so this looks like a fault on our end.',
      'It looks like this only affects some devices since our latest update.',
      "We've had a few similar reports this week, so your details are really useful.",
      'I checked your account ({email}) and nothing is wrong with it, so this is on our side.',
    ],
    actions: [
      "I've raised it with our engineering team with your details attached, reference {ref}.",
      'Our developers are already working on a fix.',
      "I've escalated it as a high priority bug, since it stops people from checking out.",
      "In the meantime, I've placed the order for you manually at the same price.",
    ],
    nexts: [
      "I'll update you here as soon as the fix is live.",
      'Could you tell me which browser and device you were using? That will help the team narrow it down.',
      'As a workaround, using the website in a private window should get you through for now.',
      'If you have a screenshot of the error, please reply with it attached.',
    ],
    updates: [
      'Good news: the fix went live this morning. Could you try again and let me know if it works for you?',
      'Engineering have found the cause, a problem with how the page loads in some browsers. A fix is scheduled for this week.',
      "Thanks for the extra details, I've passed them on to the developers (reference {ref}).",
      'The team has released an app update (version 4.2) that should fix this. Please update from the app store and try again.',
      "Still on it: the developers have a fix ready and it's being tested now.",
    ],
    notes: [
      'Reproduced on staging. Linked to engineering issue {ref}.',
      'Seen several similar reports since the release; grouping under {ref}.',
      'Workaround given: private window. Customer on {plan}.',
    ],
  },
  'complaint/service': {
    kind: 'bespoke',
    acks: [
      "I'm truly sorry for the experience you've had, and thank you for telling us.",
      "I'm sorry; you shouldn't have had to chase us like this.",
      "Thank you for taking the time to write this out. I've read every part of it.",
      "I'm really sorry. This is not the standard we hold ourselves to.",
      'First of all, I want to apologise properly for how this has gone.',
    ],
    specifics: [
      "Looking at your history, I can see you contacted us several times about {orderId} and didn't get a proper answer.",
      "I've gone through the messages about order {orderId} and can see where we let you down.",
      "I've read back through everything on your account, and I agree we should have done better.",
      "I've checked the notes on {orderId}, and what you describe is not acceptable.",
    ],
    actions: [
      "I've taken ownership of your case personally, so from now on you'll hear from me directly.",
      "I've refunded {amount} as an apology, on top of sorting out the order itself.",
      "I've raised a formal complaint with {carrier} about the delivery.",
      "I've added a {amount2} credit to your account as a goodwill gesture.",
    ],
    nexts: [
      'I can call you tomorrow if that suits you, or we can keep it in writing, whichever you prefer.',
      "You'll have a written summary of everything we've agreed by the end of the week.",
      'If anything else goes wrong with this order, reply to this email and it will come straight to me.',
      'Please let me know whether this feels like a fair resolution.',
    ],
    updates: [
      "As promised, here's an update: the replacement for {orderId} was dispatched today with tracking {tracking}.",
      "I understand. I've escalated this to our customer experience manager, who will review your case.",
      "The {amount} refund has been processed, reference {ref}. I'm sorry again for all of this.",
      "I've put everything we agreed in writing below, as you asked.",
    ],
    notes: [
      'Customer contacted us 3x without a resolution. Taking ownership.',
      'Goodwill credit of {amount2} approved.',
      'Churn risk: long-time member, high order value.',
    ],
  },
  'complaint/staff': {
    kind: 'bespoke',
    acks: [
      "I'm very sorry about how you were treated. That's not acceptable.",
      'Thank you for telling us about this. I know it is not pleasant to have to write in about it.',
      "I'm sorry. Everyone who contacts us deserves to be treated with respect.",
    ],
    specifics: [
      "I've looked into what happened on {date} and I agree it's not how we want anyone to be treated.",
      "I've read your message carefully and I understand why you're upset.",
      'I can see from your account history what happened, and I have passed on every detail.',
    ],
    actions: [
      "I've shared your feedback with the team lead, and it will be followed up with the person involved.",
      "I've booked a call with our team lead for tomorrow morning, at a time that suits you.",
      "I've logged a formal complaint so it's properly investigated.",
    ],
    nexts: [
      "I can't share the details of what happens with staff, but I can assure you this is being taken seriously.",
      'If anything like this happens again, please reply here and it will come straight to me.',
    ],
    updates: [
      'The team lead has now discussed your feedback with the person involved.',
      "I've added a {amount2} credit to your account as an apology.",
      'The investigation is complete and your feedback has been acted on.',
    ],
    notes: [
      'Staff feedback logged with team lead.',
      'Complaint ref {ref} opened with the operations manager.',
    ],
  },
  'legal/access': {
    kind: 'bespoke',
    acks: [
      'Thank you for your request, which we logged today.',
      'Thank you for contacting us. Your request has been passed to our data protection team.',
    ],
    specifics: [
      'We will respond within one month of receiving your request, as the law requires.',
      'To protect your data, we need to confirm your identity before we can send anything.',
    ],
    actions: [
      'We have started gathering the personal data linked to {email}.',
      'We have logged this as a subject access request, reference {ref}.',
    ],
    nexts: [
      'Please reply with a photo of an ID document, with everything except your name and photo covered.',
      'You will receive a secure download link by email once the export is ready.',
    ],
    updates: [
      'Your identity has been verified. The data export is being prepared.',
      'Your data export is ready; the secure link has been sent to {email} and expires in 7 days.',
    ],
    notes: [
      'DSAR logged, statutory deadline one month from receipt.',
      'Identity check passed. Export job started.',
    ],
  },
  'legal/erasure': {
    kind: 'bespoke',
    acks: [
      'Thank you for your request. We have logged it with our data protection team.',
      'We confirm receipt of your erasure request.',
    ],
    specifics: [
      'Some records, such as invoices, must be kept for tax purposes for a set period; everything else will be deleted.',
      'We will complete the erasure within one month, as the law requires.',
    ],
    actions: [
      'We have stopped all marketing to {email} with immediate effect.',
      'We have scheduled your account for deletion, reference {ref}.',
    ],
    nexts: [
      'We will confirm in writing once the erasure is complete.',
      'If you place an order again in future, a new account will be created.',
    ],
    updates: [
      'Your account and personal data have now been erased, except records we must keep by law.',
      'We keep invoices for 6 years for tax reasons; they are not used for anything else.',
    ],
    notes: [
      'Erasure request logged, deadline one month.',
      'Checked: no open orders or disputes. Erasure approved.',
    ],
  },
  'legal/claim': {
    kind: 'bespoke',
    acks: [
      'We acknowledge receipt of your letter regarding order {orderId}.',
      'Thank you for your message, which has been passed to our legal team.',
    ],
    specifics: [
      'We have reviewed the history of order {orderId}, including the correspondence with our support team.',
      'We note the claim for {amount} in respect of the {product}.',
    ],
    actions: [
      'Our legal team is reviewing the matter and will respond formally.',
      'We have placed a hold on the records relevant to this dispute.',
    ],
    nexts: [
      'Please direct any further correspondence to this ticket, reference {ref}.',
      'We aim to respond in full within 14 days.',
    ],
    updates: [
      'Having reviewed the matter, we have agreed to refund {amount} in full without admission of liability.',
      'Our legal team has responded formally by letter; a copy is attached.',
      'The payment of {amount} was made today, reference {ref}.',
    ],
    notes: ['Forwarded to legal counsel, ref {ref}.', 'Legal hold on order {orderId} records.'],
  },
  'security/takeover': {
    kind: 'bespoke',
    acks: [
      'Thank you for reporting this so quickly, it really helps us protect your account.',
      "I'm sorry this happened, and I understand how worrying it is.",
    ],
    specifics: [
      'I can see a sign-in from a new device on {date} followed by a change of email address.',
      'I can see order {orderId} was placed from a device you have not used before.',
    ],
    actions: [
      "I've locked the account, signed out every session and restored your original email address.",
      "I've cancelled order {orderId} before it left the warehouse.",
    ],
    nexts: [
      "Please set a new password with the reset link I've sent you, and turn on two-step sign-in.",
      'If you used the same password anywhere else, please change it there too.',
    ],
    updates: [
      'Your account is secure again; only your own device is signed in now.',
      'The order has been cancelled and the payment reversed.',
    ],
    notes: [
      'Account takeover suspected: new device, email change, order within 10 minutes.',
      'Sessions revoked.',
    ],
  },
  'security/fraud': {
    kind: 'bespoke',
    acks: ['Thanks for flagging this to us straight away.', "I'm sorry you've been targeted by this."],
    specifics: [
      'Order {orderId} was placed from an account that is not yours, with a delivery address in {city}.',
      'Those messages did not come from us; we never ask for card details by text or email.',
    ],
    actions: [
      "I've cancelled order {orderId} and blocked the delivery address.",
      "I've reported the messages to our security team so they can be taken down.",
    ],
    nexts: [
      "Please don't reply to those messages or click any links in them.",
      'If your bank asks, I can send a letter confirming what happened.',
    ],
    updates: [
      "I've attached a letter for your bank, reference {ref}.",
      'Our security team has confirmed no card details were exposed from your account.',
    ],
    notes: [
      'Fraud pattern: same delivery address in {city} on several accounts.',
      'Phishing reported, ref {ref}.',
    ],
  },
  'security/charge': {
    kind: 'bespoke',
    acks: ["I'm sorry this happened, and thank you for telling us.", 'Thanks for reporting this so quickly.'],
    specifics: [
      'I can see three payments of {amount} made with the card ending {last4}, from an account created on {date}.',
      'The card ending {last4} was added to an account that is not yours.',
    ],
    actions: [
      "I've blocked the card ending {last4} on our side and refunded all of the payments.",
      "I've closed the account that used your card and cancelled its open orders.",
    ],
    nexts: [
      'If your bank asks, I can send a letter confirming the charges were fraudulent.',
      'The refunds should show on your statement within 3-5 working days.',
    ],
    updates: [
      "I've attached a letter for your bank confirming the charges, reference {ref}.",
      'All refunds have gone through on our side.',
    ],
    notes: ['Chargeback risk, refunded proactively.', 'Card fingerprint blocked.'],
  },
  'distress/wellbeing': {
    kind: 'bespoke',
    acks: [
      "Thank you for telling us how you're feeling. I'm really sorry things are so hard right now.",
      "I'm so sorry you're going through this. You did the right thing by reaching out.",
      "I hear you, and I'm glad you wrote to us.",
    ],
    specifics: [
      "Please don't worry about your order, I'm taking care of it so you don't have to.",
      "I've looked at your account and I can sort the order out from our side today.",
    ],
    actions: [
      "I've refunded {amount} to your card.",
      "I've arranged a replacement that will arrive tomorrow.",
    ],
    nexts: [
      "If you're feeling unsafe or like you might hurt yourself, please contact your local emergency services or a crisis line right away; you don't have to go through this alone.",
      'There are people who can help: if things feel like too much, a local crisis helpline is there day and night.',
    ],
    updates: [
      "I just wanted to check in and see how you're doing. Your order is all sorted now.",
      "Thank you for letting me know. I'm glad you have someone with you.",
    ],
    notes: ['Wellbeing concern: followed safeguarding guidance, team lead informed.'],
  },
  'distress/threat': {
    kind: 'bespoke',
    acks: [
      'I understand you are very angry, and I want to get this resolved.',
      'I can see how frustrated you are.',
    ],
    specifics: [
      'I need to be clear that we cannot accept threats towards our staff, but I do want to fix the problem with your order.',
      'Threats against our team are not acceptable; I will still look at your order today.',
    ],
    actions: [
      "I've passed your case to our team lead so it gets resolved today.",
      "I've refunded {amount} to your card.",
    ],
    nexts: [
      'Please keep all contact in writing on this ticket.',
      'You can reply here and I will pick it up.',
    ],
    updates: ['Your refund has been processed. We have closed the matter on our side.'],
    notes: ['Threat against staff logged with team lead; site manager informed.'],
  },
  'distress/safety': {
    kind: 'bespoke',
    acks: [
      'Thank you for trusting us with this. Your safety comes first.',
      'I understand, and I will be discreet.',
    ],
    specifics: [
      "I've removed your old address and phone number from the account, and we'll only contact you at the new email.",
      "I've added a note so nobody calls your home number.",
    ],
    actions: [
      'Order {orderId} will be delivered to the new address only.',
      'I have restricted the account so changes need your new email.',
    ],
    nexts: [
      "If you're ever in immediate danger, please call your local emergency number.",
      'You can reply here any time and it will come straight to me.',
    ],
    updates: ['The changes to your account are done, and only the new email is on file now.'],
    notes: ['Safety case: contact restricted to email only. Do not call.'],
  },
};

/** Short lines that sometimes end a bespoke reply. */
export const BESPOKE_CLOSINGS = [
  'Thanks again for your patience.',
  "I'm sorry again for the hassle.",
  'Take care.',
  "I'm here if you need anything else.",
  'Thank you for bearing with us.',
];

/** An AgentScript with its phrasings parsed. */
export type CompiledAgentScript =
  | { kind: 'macro'; macros: readonly Template[]; fixes: readonly Template[] }
  | {
      kind: 'bespoke';
      acks: readonly Template[];
      specifics: readonly Template[];
      actions: readonly Template[];
      nexts: readonly Template[];
      updates: readonly Template[];
      notes: readonly Template[];
    };

const compiledScripts = new Map<string, CompiledAgentScript>(
  Object.entries(AGENT_SCRIPTS).map(([key, script]) => [
    key,
    script.kind === 'macro'
      ? { kind: 'macro', macros: compileAll(script.macros), fixes: compileAll(script.fixes) }
      : {
          kind: 'bespoke',
          acks: compileAll(script.acks),
          specifics: compileAll(script.specifics),
          actions: compileAll(script.actions),
          nexts: compileAll(script.nexts),
          updates: compileAll(script.updates),
          notes: compileAll(script.notes),
        },
  ]),
);

export const COMPILED_BESPOKE_CLOSINGS = compileAll(BESPOKE_CLOSINGS);

/** The agent script for a reply key; an unknown key is a bug in the phrasing tables. */
/**
 * The script that answers a ticket with `replyKey` about an order in `orderStatus`: `key/status` when there is
 * one (an agent does not give tracking for an order still in the warehouse), else the key's own.
 */
export function replyKeyFor(replyKey: string, orderStatus: string): string {
  const specific = `${replyKey}/${orderStatus}`;
  return compiledScripts.has(specific) ? specific : replyKey;
}

export function agentScript(key: string): CompiledAgentScript {
  const script = compiledScripts.get(key);
  if (!script) throw new BugError('demo.no_agent_script', `no agent script for "${key}"`);
  return script;
}
