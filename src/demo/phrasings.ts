import { DEMO_CATEGORIES, type DemoCategory } from './categories.ts';
import { compileAll, type Template } from './template.ts';

/**
 * What customers write, per category: written for this demo, not taken from any data set. A message is an
 * opening (the base template) plus, sometimes, a detail, wrapped in a greeting and a closer; slots such as
 * `{order}` are filled per ticket.
 */
export interface CustomerVariant {
  /** Tags this kind of ticket adds (`gdpr`, `account_takeover`...). */
  tags: readonly string[];
  weight: number;
  /** Which agent script answers it (see agent-replies.ts); the category's own when absent. */
  replyKey?: string;
  subjects: readonly string[];
  openings: readonly string[];
  details: readonly string[];
  /** Later customer turns in the middle of a thread: "still not working", more facts, pushback. */
  followUps: readonly string[];
  /** A last customer turn that ends the thread; the shared thanks when absent. */
  closings?: readonly string[];
}

const v = (
  variant: Omit<CustomerVariant, 'weight' | 'tags'> & Partial<CustomerVariant>,
): CustomerVariant => ({
  tags: [],
  weight: 1,
  ...variant,
});

export const CUSTOMER_SCRIPTS: Record<DemoCategory, readonly CustomerVariant[]> = {
  password_reset: [
    v({
      subjects: [
        'Password reset',
        "Can't log in",
        'Reset password email not arriving',
        'Locked out of my account',
        'Login problem',
        'password not working',
        'Reset link expired',
        'Help accessing my account',
      ],
      openings: [
        "I can't log in to my account. I've tried resetting my password but the email never arrives.",
        'forgot my password, how do i reset it',
        'The password reset link says it has expired every time I click it.',
        "I'm locked out of my account after too many attempts. Can you unlock it? My email is {email}.",
        'Reset password email not coming through, I already checked my spam folder.',
        "I need to change my password but I don't remember the old one.",
        "When I enter my email on the reset page it says no account found, but I've ordered from you before with {email}.",
        'I keep getting "invalid email or password" even though I just reset my password.',
        "Can you send me a new password reset link please? The last one didn't work.",
        "I changed my phone and can't get the login code anymore, so I can't get into my account.",
        "The app logs me out and then won't accept my password anymore.",
        'how do I get back into my account?? password not working',
        "I reset my password twice today and still can't sign in. What am I doing wrong?",
        "Your site keeps telling me my password is wrong. I'm 100% sure it's right.",
        "I'm trying to check on order {order} but I can't remember my login details.",
        'The reset code you text me never arrives.',
        'Account locked, please help, I need to get to my orders.',
        'I get an error "token invalid" when I open the password reset link on my phone.',
        'Is there a way to log in without a password? I just want to see my order history.',
      ],
      details: [
        'The account email is {email}.',
        'I tried in Chrome and in the app.',
        "I've been trying since this morning.",
        'I also tried a different browser, same thing.',
        "It's the account with {email}, in case that helps.",
        'My last order was {order} if you need it.',
        'I have a {plan}, if that matters.',
      ],
      followUps: [
        "I tried that but the email still isn't arriving.",
        'Still not working, same error as before.',
        'The new link also says expired.',
        "I've checked spam and promotions, nothing there.",
        'Now it says my account is locked for 30 minutes?',
        "Tried again, still can't get in. Can you just reset it for me?",
      ],
    }),
  ],
  order_status: [
    v({
      subjects: [
        'Where is my order?',
        'Order {order}',
        'Order status',
        'Update on my order please',
        'Has my order shipped?',
        'Delivery date for {order}',
        'No tracking info',
        'order status??',
      ],
      openings: [
        "Where is my order {order}? I placed it on {date} and haven't heard anything since.",
        'Can you tell me when my order {order} will arrive?',
        "Could you give me an update on order {order}? The tracking hasn't changed in {days} days.",
        'I ordered a {product} on {date} and still have no shipping confirmation.',
        "what's the status of my order {order}",
        'Has my order shipped yet? Order number {order}.',
        "My tracking number {tracking} doesn't show anything on the {carrier} website.",
        'The website has said my order is "processing" since {date}. Is that normal?',
        'When will the {product} I ordered be dispatched?',
        'I need the {product} by the weekend, it is a gift. Will order {order} arrive in time?',
        'Just checking on my order {order}, any news?',
        "I haven't received a dispatch email for {order}. Can you check?",
        'Is order {order} still on track for delivery this week?',
        'I ordered {qty} items but only one has shipped. Is the rest of order {order} coming separately?',
        "Could you confirm the delivery address on {order}? I want to make sure it's going to {city}.",
        'order {order} - any eta?',
        'I got an email saying my order {order} is delayed, what does that mean for the delivery date?',
        'Hello, my order {order} from {date} still shows "awaiting dispatch". How long does that usually take?',
      ],
      details: [
        'It was the {product}.',
        'I paid for standard delivery.',
        'The order confirmation came through fine.',
        'I live in {city}, if that makes a difference.',
        "It's been {days} days now.",
        'The total was {amount}.',
        'I ordered it on {date}.',
      ],
      followUps: [
        'The tracking still says the same thing.',
        'OK, but when exactly will it arrive?',
        'The tracking link you sent says "no information available".',
        'It still says processing on my account page.',
        'Can you check with the courier? Nothing has moved since yesterday.',
      ],
    }),
  ],
  billing_question: [
    v({
      tags: ['double_charge'],
      replyKey: 'billing_question/double',
      weight: 4,
      subjects: [
        'Charged twice',
        'Double charge on my card',
        'Why was I charged twice?',
        'Duplicate payment for order {order}',
        'DOUBLE CHARGED',
      ],
      openings: [
        'I see two charges of {amount} on my card for the same order {order}. Why was I charged twice?',
        'I was charged twice for {membership} this month.',
        'double charged!! order {order}, card ending {last4}',
        'Why does my statement show {charge} twice this month?',
        'My bank shows two payments of {amount} to {shop} on {date}, but I only placed one order.',
        'I think your checkout charged me twice, I clicked pay and it froze, now there are 2 x {amount} on my card.',
      ],
      details: [
        'The card ends in {last4}.',
        'Both show as completed, not pending.',
        'I can send a screenshot of my statement.',
        'This is the second time this has happened.',
      ],
      followUps: [
        "Both charges are still there on my statement, it's not a pending one.",
        'How long will it take to come back? I need that money.',
        'My bank says they are both completed payments.',
      ],
    }),
    v({
      tags: ['unknown_charge'],
      replyKey: 'billing_question/unknown',
      weight: 5,
      subjects: [
        'What is this charge?',
        'Unknown charge from {shop}',
        'Charge of {fee} on my statement',
        'Monthly charge?',
        '{charge} on my bank statement',
        'Billing question',
      ],
      openings: [
        'What is this charge of {fee} from {charge} on my statement?',
        "There's a {fee} payment to {shop} every month and I don't know what it's for.",
        'Why was I charged {fee} today? I thought I cancelled my membership.',
        "I never signed up for {membership} but I'm being charged {fee}.",
        'Can you explain the charge {charge} {fee} on {date}?',
        "There's a transaction from {shop} for {amount} that I don't recognise. I only placed one order.",
        'My {membership} renewal went through at a higher price than before. Why?',
        "What's the {fee} charge on {date}? Card ending in {last4}.",
        "I got charged for shipping even though I'm a {membership} member, which is supposed to include free delivery.",
        'The price at checkout was different from what was taken from my account.',
        'I was billed sales tax on my order, is that right? It was not shown at checkout.',
      ],
      details: [
        'I only use this card for online shopping.',
        'My account email is {email}.',
        "I don't remember agreeing to a subscription.",
        'My husband says he did not order anything either.',
        'Please explain before I dispute it with my bank.',
      ],
      followUps: [
        "I still don't understand, I never agreed to a subscription.",
        'Can you cancel the membership and refund the last charge then?',
        "Where do I see that on my account? I can't find it.",
      ],
    }),
    v({
      tags: ['pending_charge'],
      replyKey: 'billing_question/pending',
      weight: 2,
      subjects: ['Payment taken but order failed', 'Pending charge', 'Money taken for cancelled order'],
      openings: [
        'My bank shows a pending charge of {amount} but the order failed. Will it be released?',
        'I was charged {amount} but my order {order} was cancelled. When do I get my money back?',
        'The checkout said payment failed, but {amount} has left my account.',
      ],
      details: ['It has been {days} days.', 'The card ends in {last4}.'],
      followUps: ["It's still showing on my account.", 'My bank says it is up to you to release it.'],
    }),
  ],
  account_update: [
    v({
      subjects: [
        'Change my email address',
        'Update delivery address',
        'Account details',
        'Name change',
        'Update card details',
        'Marketing emails',
        'Add user to business account',
      ],
      openings: [
        'Please change the email on my account from {email} to {newEmail}.',
        'How do I update my delivery address? I moved to {city}.',
        'I got married and need to change the surname on my account.',
        'Can you update the phone number on my account?',
        "I'd like to change my default payment card to the one ending {last4}.",
        "Please remove my old address from my account, I don't live there anymore.",
        'Can I merge my two accounts? One is {email} and the other is {newEmail}.',
        'How do I unsubscribe from your marketing emails but keep the order updates?',
        'Please end my {membership} membership at the end of this billing period, I only want a free account.',
        'I want to add a colleague to our business account, their email is {newEmail}.',
        'Update my billing address please, it should be in {city} now.',
        "Could you fix the name on the account? It's spelled wrong, it should be {name}.",
        'How do I delete a saved card from my account?',
        'Please change the account owner of our {company} account to {newEmail}.',
        'Can you turn off the text message notifications? Email is enough for me.',
        'I need to change the date of birth on my account, it was entered wrong.',
      ],
      details: [
        'My account email is {email}.',
        "I couldn't find the option in settings.",
        'The website gives me an error when I try to save it.',
        'Thanks for your help with this.',
      ],
      followUps: [
        'I tried that but the save button is greyed out.',
        'It still shows the old one on my account page.',
        "I didn't get the confirmation email.",
      ],
    }),
  ],
  how_to: [
    v({
      subjects: [
        'Question',
        'How do I...',
        'Discount code',
        'Gift card',
        'Returns',
        'Delivery to {city}',
        'Business account',
        'Quick question',
      ],
      openings: [
        "How do I apply a discount code? The box doesn't show up at checkout.",
        'How can I track my order in the app?',
        'Is it possible to pay with PayPal or only by card?',
        'How do I use my gift card on the website?',
        'Do you deliver to {city}? And how long does it take?',
        "How do I return an item? I can't find the returns form.",
        'Can I change the delivery date after ordering?',
        'How do I download my invoices from the account page?',
        'Where do I find the care instructions for the {product}?',
        'How do I make a wishlist and share it with family?',
        'How do the {membership} points work? How do I use them?',
        'Can I order as a guest without making an account?',
        'How do I set up a business account with invoice payment?',
        'What sizes does the {product} come in?',
        'Is the {product} dishwasher safe?',
        'how do i stop the newsletter',
        'Can I collect my order from a pickup point instead of home delivery?',
        'Do you do gift wrapping? I want to send the {product} straight to a friend.',
      ],
      details: [
        'I looked in the FAQ but could not find it.',
        'I am using the app on my phone.',
        "It's for an order I want to place this week.",
        'Thanks in advance for the help.',
      ],
      followUps: [
        "I can't see that option, where exactly is it?",
        'That page just shows an error for me.',
        'And does that also work in the app?',
      ],
    }),
  ],
  shipping_delay: [
    v({
      subjects: [
        'Late delivery',
        'Parcel not arrived',
        'Order {order} still not delivered',
        'Tracking not updating',
        'Marked delivered but not received',
        'Delivery delayed AGAIN',
        'Missing item',
      ],
      openings: [
        "My order {order} was supposed to arrive on {date} and it's still not here.",
        'Tracking says delivered but nothing arrived. Order {order}.',
        'It\'s been {days} days and my parcel is still "in transit" with {carrier}.',
        '{carrier} says my package is stuck at the depot. Tracking number {tracking}.',
        "The delivery was delayed again. This is the third time they've changed the date.",
        "Where is my {product}?? It's over a week late.",
        'The courier left a card saying they tried to deliver, but I was home all day. Can you arrange redelivery?',
        'My parcel {tracking} is showing "returned to sender". Why?',
        'The estimated delivery was {date}. Now the tracking shows no updates at all.',
        "I paid for express delivery and my order {order} still hasn't arrived after {days} days.",
        'Only half my order arrived. The {product2} is missing.',
        "I'm moving out in {days} days, will my order arrive before that? It's already late.",
        'The tracking for {order} has said "out for delivery" for three days.',
        "The courier's website says the address was incomplete, but it's the same address as always. Order {order}.",
        'My parcel was left at a pickup point in {city} instead of my house. Why?',
      ],
      details: [
        'I paid {amount} for this.',
        'The tracking number is {tracking}.',
        'I have checked with my neighbours.',
        'I needed it for a birthday.',
        "It's been {days} days.",
      ],
      followUps: [
        'Still nothing. The tracking has not moved.',
        'The courier says it is your problem, you say it is theirs. Who do I talk to?',
        'Can you just send a replacement?',
        'Nothing arrived today either.',
      ],
    }),
  ],
  refund_request: [
    v({
      subjects: [
        'Refund request',
        'Refund for order {order}',
        'Where is my refund?',
        'Damaged item - refund',
        'Return and refund',
        'REFUND',
        'Money back please',
        'Partial refund?',
      ],
      openings: [
        "I returned the {product} two weeks ago and still haven't got my refund of {amount}.",
        "I'd like a refund for order {order}, the {product} arrived damaged. It was {amount}.",
        "Can I get my money back for the {product}? It's not what I expected. I paid {amount}.",
        "You refunded {amount2} but I paid {amount}. Where's the rest?",
        'The {product} broke after one week. I want a full refund of {amount}.',
        'I cancelled order {order} before it shipped. Please refund the {amount}.',
        'Your returns portal says my refund was processed on {date} but there is nothing on my card yet.',
        'I was overcharged on order {order}, please refund the difference of {amount}.',
        'I received the wrong item (a {product2} instead of the {product}). I want a refund, not a replacement.',
        'Please refund the {amount} delivery charge, my order arrived {days} days late.',
        "I'd like to return the whole order {order} ({amount}), it doesn't fit the room.",
        'Refund please. {product} faulty. Order {order}, {amount}.',
        'One of your agents promised me a refund of {amount} on the phone but nothing has happened.',
        'The {product} is missing parts. Either send them or refund me {amount}.',
        'My refund of {amount} went to an old card I have cancelled. What happens now?',
        "Can I get a partial refund? The {product} has a scratch but I'd keep it for {amount} off.",
        'I sent back the {product} on {date} with tracking {tracking}. Refund of {amount} still missing.',
      ],
      details: [
        'I have photos of the damage.',
        'The return was dropped off with {carrier}.',
        'I have the receipt from the drop-off point.',
        'I have been a customer for years and never had this problem.',
        'I paid with the card ending {last4}.',
        'The order was placed on {date}.',
      ],
      followUps: [
        'I have attached the photos. The box was crushed on one side.',
        'It has now been {days} days. When will I see the money?',
        'The return label you sent does not work at the drop-off point.',
        'I already sent the item back, the tracking is {tracking}.',
        "That's not the full amount. I paid {amount}, not {amount2}.",
        "OK, I'll wait for the inspection then. How long does that take?",
        'My bank says nothing has come in yet.',
      ],
      closings: [
        'Thank you, I can see the refund now.',
        'OK, fine. Thanks for sorting it.',
        'Got the money back, thanks.',
        "Thanks. Took longer than it should have, but it's done.",
      ],
    }),
  ],
  order_change: [
    v({
      subjects: ['Change my order', 'Order {order} - change', 'Wrong address on order', 'Add item to order'],
      openings: [
        'Can I change the colour of the {product} on order {order}?',
        'I need to change the delivery address for order {order} to {city}.',
        'Can I add a {product2} to my order {order} before it ships?',
        'I ordered the wrong size of {product}. Can you swap it before dispatch?',
        'Please change the quantity on {order} from {qty} to 1.',
        'Is it possible to upgrade my order {order} to express delivery?',
        "I'd like to remove the {product2} from order {order}.",
        "Can you hold order {order} until next week? I'm away.",
        'I put the wrong house number on order {order}.',
        'Could you combine order {order} with my other order into one delivery?',
        'I used the wrong email on order {order}, it should be {newEmail}.',
      ],
      details: ['I placed it about an hour ago.', "It hasn't shipped yet I think.", 'Thanks so much.'],
      followUps: [
        'The order page still shows the old details.',
        'Will the price change?',
        'And the delivery date stays the same?',
      ],
    }),
  ],
  order_cancellation: [
    v({
      subjects: ['Cancel order', 'Cancel order {order}', 'Cancellation', 'Please cancel', 'cancel my order'],
      openings: [
        'Please cancel my order {order}.',
        'I ordered the {product} by mistake, can you cancel it?',
        'Cancel order {order} please, I found it cheaper elsewhere.',
        "Has order {order} shipped yet? If not I'd like to cancel it.",
        "Can I still cancel {order}? It's been {days} days and it hasn't shipped.",
        'Please cancel the {product} from my order, the rest is fine.',
        'I placed the same order twice by accident ({order}). Please cancel one of them.',
        'cancel {order} asap pls',
        "I need to cancel my order because I'm moving, order {order}.",
        "I'd like to cancel order {order}, the delivery date is too late for me.",
      ],
      details: ['I paid {amount}.', 'Please confirm by email.', 'Sorry for the trouble.'],
      followUps: [
        'Will I get the full {amount} back?',
        'It says dispatched now?! I asked to cancel before that.',
        "I haven't received the cancellation email.",
      ],
    }),
  ],
  invoice_request: [
    v({
      subjects: ['Invoice request', 'VAT invoice', 'Invoice for order {order}', 'Receipt needed'],
      openings: [
        'Can you send me a VAT invoice for order {order}? I need it for my accounts.',
        'Please send an invoice with our company name, {company}, for order {order}.',
        'I need a copy of the invoice for my {membership} subscription, the payment on {date}.',
        'The invoice for {order} has the wrong address. Can you reissue it?',
        'Where can I download the invoices for all my orders this year?',
        'Our finance team needs an invoice with a PO number for order {order}.',
        'Could I get a receipt for the {amount} order I placed on {date}?',
        'Please add our VAT number to the invoice for {order}.',
      ],
      details: [
        'The PO number is {ref}.',
        'Please send it to {email}.',
        'We need it by the end of the month.',
      ],
      followUps: ['The PDF does not open for me.', 'It still shows the old address.'],
    }),
  ],
  bug_report: [
    v({
      subjects: [
        'Website bug',
        'Checkout not working',
        'App crashing',
        'Error message',
        'Discount code error',
        'Something is broken',
      ],
      openings: [
        "The checkout page freezes when I click 'Pay now'. I tried Chrome and Safari.",
        'Your app crashes every time I open my order history.',
        'The discount code field says "something went wrong" for every code I try.',
        'When I add the {product} to my basket, the price shows as 0.00.',
        "The search on your site returns nothing for 'duvet' even though you sell them.",
        "I can't upload a photo of the damaged item in the returns form, it just spins.",
        'My account shows order {order} twice, with different totals.',
        'The "Track order" button takes me to a blank page.',
        "Since the last app update I can't log in with my Apple ID anymore.",
        'The size chart on the {product} page is cut off on mobile.',
        'Your emails show strange characters like Ã© instead of letters.',
        'The basket empties itself every time I go to the payment step.',
      ],
      details: [
        'I am on an iPhone 13 with the latest update.',
        'Using Firefox on Windows.',
        'I cleared my cache and cookies, no change.',
        'It worked fine last week.',
        'The error code says 502.',
      ],
      followUps: [
        'I tried again this morning, same problem.',
        'Here is what I see: the page just goes white after I press the button.',
        'It works on my laptop but not on my phone.',
        'Any update? I still cannot place my order.',
        'Yes, I can reproduce it every time.',
      ],
      closings: ['Yes, it works now. Thanks!', 'Confirmed, fixed on my side.', 'Great, that did it.'],
    }),
  ],
  feature_request: [
    v({
      subjects: ['Suggestion', 'Feature request', 'Idea for the website', 'Feedback'],
      openings: [
        'It would be great if I could save more than one delivery address.',
        'Please add a dark mode to the app!',
        "Could you offer delivery time slots? I'm never home when the courier comes.",
        'Any chance you could add Apple Pay at checkout?',
        "I'd love a 'notify me when back in stock' button for the {product}.",
        'Could business accounts have several users with their own logins?',
        'Please make it possible to download all invoices as one PDF.',
        "Suggestion: put the carrier's tracking link directly in the order email.",
      ],
      details: ['Otherwise I love your shop.', 'Many of my friends say the same.', 'Just an idea!'],
      followUps: ['Any idea when that might happen?', 'Can I vote for it somewhere?'],
    }),
  ],
  complaint: [
    v({
      tags: ['service_complaint'],
      replyKey: 'complaint/service',
      weight: 5,
      subjects: [
        'Complaint',
        'Formal complaint',
        'Terrible service',
        'Very disappointed',
        'Nobody is answering',
        'UNACCEPTABLE',
      ],
      openings: [
        "I'm really disappointed with your service. I've contacted you three times about {order} and no one has answered.",
        'I want to make a formal complaint about how my refund has been handled.',
        'This is the worst customer service I have experienced. Nobody reads my emails.',
        'The quality of the {product} is terrible for the price. I expected much better from {shop}.',
        "I've been a {membership} member for years and this is how you treat loyal customers?",
        'I was told three different things by three different people about order {order}.',
        "I'm fed up. Every order I place something goes wrong.",
        'Your courier threw my parcel over the fence and the {product} broke.',
      ],
      details: [
        'I expect a proper answer this time.',
        'I have screenshots of all my messages.',
        'I will be leaving a review.',
        'I want to speak to a manager.',
      ],
      followUps: [
        "That's not good enough. I want to know what you're actually going to do.",
        'I have now waited another {days} days. Still nothing.',
        'Fine, but I want it in writing.',
        'Why should I believe it will be different this time?',
      ],
      closings: [
        'OK. Thank you for actually listening.',
        "Thanks, that's more like it.",
        'Fine. I accept that, thanks.',
      ],
    }),
    v({
      tags: ['staff_complaint'],
      replyKey: 'complaint/staff',
      weight: 2,
      subjects: ['Complaint about staff', 'Rude agent', 'Complaint about your driver'],
      openings: [
        'The agent I spoke to yesterday was rude and hung up on me.',
        'One of your staff, {staff}, promised me a call back that never happened.',
        'Your delivery driver was aggressive when I asked him to bring the box inside.',
        'The person on the chat was sarcastic and refused to give me their name.',
      ],
      details: [
        'It happened on {date}.',
        'I want this investigated.',
        'I have never been spoken to like that.',
      ],
      followUps: [
        'I want to know what action will be taken.',
        "An apology is nice but it doesn't fix anything.",
        'Will that person be spoken to?',
      ],
      closings: ['Thank you for taking it seriously.', 'OK, I appreciate the apology.'],
    }),
  ],
  legal: [
    v({
      tags: ['gdpr', 'data_request'],
      replyKey: 'legal/access',
      weight: 2,
      subjects: ['Subject access request', 'GDPR data request', 'Request for my personal data'],
      openings: [
        'Under Article 15 GDPR I request a copy of all personal data you hold about me, including order history and call recordings. My account email is {email}.',
        'This is a subject access request. Please send me all data you have stored about me within one month.',
        'I want to know what personal data you keep about me and who you share it with.',
      ],
      details: ['Please confirm receipt of this request.', 'My full name is {name}.'],
      followUps: [
        'Please confirm the date by which I will receive the data.',
        'I have attached a copy of my ID as you asked.',
      ],
      closings: ['Received the file, thank you.'],
    }),
    v({
      tags: ['gdpr', 'erasure'],
      replyKey: 'legal/erasure',
      weight: 2,
      subjects: ['Delete my data', 'Right to erasure', 'Delete my account'],
      openings: [
        'Please delete my account and all my personal data under the GDPR right to erasure, and confirm in writing.',
        'I want you to erase all my data. I no longer consent to you processing it.',
      ],
      details: ['My account email is {email}.', 'Do not send me any more marketing.'],
      followUps: ['Why do you need to keep my order history?', 'Please confirm once it is done.'],
      closings: ['Thank you for confirming.'],
    }),
    v({
      tags: ['lawyer'],
      replyKey: 'legal/claim',
      weight: 1,
      subjects: ['Letter before action', 'Legal notice: order {order}', 'Formal notice'],
      openings: [
        'I am writing on behalf of my client, {name}, regarding order {order}. Unless {amount} is refunded within 14 days we will issue proceedings.',
        'My solicitor has advised me to request all correspondence about order {order}.',
        'This is a formal notice under consumer protection law: the {product} is not fit for purpose and I am entitled to a full refund of {amount}.',
      ],
      details: ['Please direct all replies to this address.', 'Reference: {ref}.'],
      followUps: [
        'We note your reply. Please confirm the payment date.',
        'My client does not accept a voucher.',
      ],
      closings: ['Payment received. We consider the matter closed.'],
    }),
    v({
      tags: ['court'],
      replyKey: 'legal/claim',
      weight: 1,
      subjects: ['Small claims court', 'Court claim'],
      openings: [
        'I have filed a small claims case against {shop} over order {order}. Please give me an address for service.',
        'I have received a court date for my claim about order {order}. Are you going to settle?',
      ],
      details: ['The claim is for {amount}.', 'Claim reference {ref}.'],
      followUps: [
        'I will withdraw the claim once the money arrives.',
        'I need this in writing for the court.',
      ],
      closings: ['Money received. I will withdraw the claim.'],
    }),
  ],
  security: [
    v({
      tags: ['account_takeover'],
      replyKey: 'security/takeover',
      weight: 2,
      subjects: ['Account hacked', 'Someone changed my email', 'Password changed - not me', 'HACKED'],
      openings: [
        "Someone has logged into my account and changed the email address. I didn't do this!",
        "I got an email saying my password was changed but it wasn't me.",
        'My account has been hacked, there are orders in it I did not place.',
      ],
      details: ['My original email was {email}.', 'Please lock the account now.'],
      followUps: [
        'I can confirm my date of birth and last order {order}.',
        'The order is still showing, has it been stopped?',
        'I have changed my password everywhere.',
      ],
      closings: ['Thank you, I can log in again.'],
    }),
    v({
      tags: ['fraud'],
      replyKey: 'security/fraud',
      weight: 1,
      subjects: ['Fraudulent order', 'Scam messages', 'Fraud'],
      openings: [
        'I received an order confirmation for {order} that I never placed. The delivery address is somewhere in {city}.',
        'Someone is sending texts pretending to be {shop} and asking for card details. Is this you?',
      ],
      details: ['I have reported it to my bank.', 'I attached a screenshot.'],
      followUps: ['Has the order been stopped?', 'My bank wants a letter from you.'],
      closings: ['Thank you for the quick help.'],
    }),
    v({
      tags: ['unauthorised_charge'],
      replyKey: 'security/charge',
      weight: 1,
      subjects: ['Unauthorised charges', 'Card used without permission'],
      openings: [
        "There are three charges on my card from {shop} that I didn't make, {amount} each.",
        'My card ending {last4} was used on your site without my permission.',
      ],
      details: ['I have frozen the card.', 'None of these orders are mine.'],
      followUps: ['Which account were they made from?', 'My bank has opened a dispute.'],
      closings: ['Thanks, the bank has the letter now.'],
    }),
  ],
  distress: [
    v({
      tags: ['wellbeing'],
      replyKey: 'distress/wellbeing',
      weight: 2,
      subjects: ['Please help', 'at the end of my rope', 'help'],
      openings: [
        "I can't cope with this anymore. Everything is going wrong and this order was the last straw. I don't know what to do.",
        "Honestly I'm at breaking point. I've been crying all morning about this, I just need someone to help me.",
        'I feel like giving up on everything. I just wanted one thing to go right this week.',
      ],
      details: ['I live alone and have no one to ask.', 'Sorry for writing like this.'],
      followUps: [
        'Thank you for replying. I am a bit calmer now.',
        'I talked to my sister. I am okay, just exhausted.',
      ],
      closings: ['Thank you for being kind. It helped more than you know.'],
    }),
    v({
      tags: ['threat'],
      replyKey: 'distress/threat',
      weight: 1,
      subjects: ['FINAL WARNING', 'Last chance'],
      openings: [
        "If I don't get my money back today I'll come down to your warehouse and you'll regret it.",
        'I know where your office is and I will be paying {staff} a visit if this is not sorted.',
      ],
      details: ['I am not joking.', 'You have been warned.'],
      followUps: ['Whatever. Just give me my money.', 'I was angry. I just want the refund.'],
      closings: ['Fine. Money received.'],
    }),
    v({
      tags: ['personal_safety'],
      replyKey: 'distress/safety',
      weight: 1,
      subjects: ['Private - please read', 'Please do not call'],
      openings: [
        "Please don't call my home number about order {order}. It isn't safe for me if my partner finds out.",
        'Please remove my old address from my account, I have had to leave home and he must not find me.',
      ],
      details: ['Only email me at {newEmail}.', 'Please be discreet.'],
      followUps: ['Thank you. Please only use the new email.', 'Has the address been removed?'],
      closings: ['Thank you so much for understanding.'],
    }),
  ],
};

export const GREETINGS = [
  'Hi,',
  'Hi',
  'Hello,',
  'Hello there,',
  'Hey,',
  'Hey there',
  'Good morning,',
  'Good afternoon,',
  'Dear Sable & Bramble,',
  'Dear customer service,',
  'To whom it may concern,',
  'hi team',
  'Hiya,',
  'Hi Sable & Bramble team,',
  'Hello support,',
];

/** Sentences a polite customer puts before the request; each ends a sentence so the request keeps its capital. */
export const POLITE_PREFIXES = [
  'Sorry to bother you.',
  'Quick question:',
  'I hope you are well.',
  'Not sure if this is the right place.',
  'Hope you can help.',
  'Apologies if this has been asked before.',
];

export const CLOSERS = [
  'Thanks',
  'Thanks!',
  'Thank you.',
  'Thanks in advance.',
  'Many thanks,',
  'Cheers',
  'Kind regards,',
  'Best,',
  'Regards,',
  'thx',
  'Appreciate your help.',
  'Looking forward to hearing from you.',
  'Please get back to me asap.',
  'Hope you can help.',
  'Thanks for your help!',
];

export const ANGRY_LINES = [
  'This is ridiculous.',
  "I'm really not happy.",
  'Sort it out!',
  'I want an answer TODAY.',
  'Unbelievable.',
  'Very disappointed.',
  "I've been waiting {days} days!",
  'This is the last time I order from you.',
  'Why is this so difficult?',
  'I am absolutely furious.',
];

export const THANKS = [
  'Thanks, that worked!',
  'Perfect, thank you!',
  'Got it, thanks.',
  'Great, all sorted now.',
  'thank you so much',
  'That did the trick, cheers.',
  'Brilliant, thanks for the quick reply.',
  'ok thanks',
  'Received it, thank you!',
  'Thanks {agent}, much appreciated.',
  'Lovely, thanks for your help.',
  'Yes that fixed it. Thank you!',
  'Great, thanks.',
];

export const GENERIC_SUBJECTS = ['Help', 'Question', 'Hello', 'Urgent', 'Re: your email', 'Support request'];

export const CSAT_COMMENTS = {
  good: ['Quick and helpful', 'Thanks {agent}!', 'Sorted in minutes', 'Very friendly', 'Great service'],
  bad: ['Took too long', 'Still not really resolved', 'Had to explain three times', 'Felt like a bot'],
};

/** The phrasings with their slots parsed, built once when the module loads. */
export interface CompiledVariant {
  tags: readonly string[];
  weight: number;
  replyKey: string;
  subjects: readonly Template[];
  openings: readonly Template[];
  details: readonly Template[];
  followUps: readonly Template[];
  closings: readonly Template[];
}

const THANKS_COMPILED = compileAll(THANKS);

const compileVariant = (category: DemoCategory, variant: CustomerVariant): CompiledVariant => ({
  tags: variant.tags,
  weight: variant.weight,
  replyKey: variant.replyKey ?? category,
  subjects: compileAll(variant.subjects),
  openings: compileAll(variant.openings),
  details: compileAll(variant.details),
  followUps: compileAll(variant.followUps),
  closings: variant.closings ? compileAll(variant.closings) : THANKS_COMPILED,
});

function compileScripts(): Record<DemoCategory, readonly CompiledVariant[]> {
  const compiled = {} as Record<DemoCategory, readonly CompiledVariant[]>;
  for (const category of DEMO_CATEGORIES) {
    compiled[category] = CUSTOMER_SCRIPTS[category].map((variant) => compileVariant(category, variant));
  }
  return compiled;
}

export const COMPILED_CUSTOMER_SCRIPTS = compileScripts();

export const COMPILED = {
  angry: compileAll(ANGRY_LINES),
  thanks: THANKS_COMPILED,
  csatGood: compileAll(CSAT_COMMENTS.good),
  csatBad: compileAll(CSAT_COMMENTS.bad),
};
