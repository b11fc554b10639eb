// The widget's stylesheet, adopted by its shadow root as a constructable stylesheet, so that a host page with
// `style-src 'self'` blocks nothing. The host page can set --sb-accent / --sb-accent-text on
// #switchboard-widget (custom properties cross the shadow boundary).
export const WIDGET_CSS = `
:host{all:initial;position:fixed;z-index:2147483000;right:20px;bottom:20px;color:#1f2328;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
--a:var(--sb-accent,#2f5d50);--af:var(--sb-accent-text,#fff)}
*{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button{font:inherit;cursor:pointer}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #6b9bff;outline-offset:2px}
svg{display:block;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.launcher{position:absolute;right:0;bottom:0;width:58px;height:58px;border:0;border-radius:50%;
background:var(--a);color:var(--af);box-shadow:0 6px 22px rgba(0,0,0,.28);display:grid;place-items:center;
transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:27px;height:27px}
.badge{position:absolute;top:-3px;right:-3px;min-width:21px;height:21px;padding:0 6px;border-radius:11px;
background:#cf222e;color:#fff;font-size:12px;font-weight:700;line-height:21px;text-align:center}
.panel{position:absolute;right:0;bottom:74px;width:372px;height:min(590px,calc(100vh - 120px));display:flex;
flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 14px 44px rgba(0,0,0,.24);overflow:hidden}
.head{display:flex;align-items:center;gap:10px;padding:14px 10px 14px 18px;background:var(--a);color:var(--af)}
.title{margin:0;font-size:16px;font-weight:650}
.subtitle{margin:1px 0 0;font-size:13px;opacity:.85}
.close{margin-left:auto;flex:none;width:38px;height:38px;border:0;border-radius:10px;background:none;color:inherit;
display:grid;place-items:center}
.close:hover{background:rgba(255,255,255,.16)}
.close svg{width:20px;height:20px}
.scroll{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 10px;background:#f5f6f8}
.log{display:flex;flex-direction:column;gap:8px}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:86%}
.msg.customer{align-self:flex-end;align-items:flex-end}
.bubble{padding:9px 13px;border-radius:16px 16px 16px 5px;background:#fff;border:1px solid #e2e5e9;
white-space:pre-wrap;overflow-wrap:anywhere}
.customer .bubble{background:var(--a);color:var(--af);border-color:transparent;border-radius:16px 16px 5px 16px}
.customer.sending .bubble{opacity:.6}
.customer.failed .bubble{background:#fff;color:#1f2328;border:1px dashed #cf222e}
.agent .bubble{background:#edf3ff;border-color:#c8d8f5}
.escalate .bubble{background:#fff8e5;border-color:#eed089}
.label{margin:0 0 3px 4px;font-size:12px;font-weight:600;color:#57606a}
.system{align-self:center;max-width:92%;align-items:center}
.system .bubble{background:none;border:0;padding:2px;color:#57606a;font-size:13px;text-align:center}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.meta{display:flex;gap:8px;align-items:center;margin:3px 4px 0;font-size:12px;color:#57606a}
.failed .meta{color:#b42318}
.linkbtn{border:0;background:none;padding:0;color:var(--a);font-size:12px;font-weight:700;text-decoration:underline}
.choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:7px}
.choice{border:1.5px solid var(--a);border-radius:999px;background:#fff;color:var(--a);padding:5px 14px;font-size:14px;
font-weight:600}
.choice:hover:not(:disabled){background:var(--a);color:var(--af)}
.choice:disabled{opacity:.4;cursor:default}
.notice{align-self:center;margin:4px 0;padding:5px 12px;border-radius:999px;background:#e8ebef;color:#424a53;
font-size:13px;text-align:center}
.feedback{align-self:stretch;margin-top:4px;padding:10px 12px;border:1px solid #e2e5e9;border-radius:12px;
background:#fff;font-size:14px;text-align:center}
.feedback p{margin:0}
.feedback .choices{justify-content:center}
.survey{align-self:stretch;margin-top:4px;padding:10px 12px;border:1px solid #e2e5e9;border-radius:12px;
background:#fff;font-size:14px;text-align:center}
.survey p{margin:0}
.survey-form{display:flex;flex-direction:column;align-items:stretch;gap:8px}
.scale{justify-content:center;margin-top:0}
.scale .choice{min-width:40px;padding:5px 0}
.scale .choice[aria-pressed="true"]{background:var(--a);color:var(--af)}
.survey textarea{flex:none;max-height:none;resize:vertical;font-size:14px}
.survey .submit{align-self:center;border:0;border-radius:999px;background:var(--a);color:var(--af);padding:6px 20px;
font-weight:600}
.survey .submit:disabled{opacity:.4;cursor:default}
.error{color:#b42318;font-size:12px}
.typing{display:flex;gap:4px;width:max-content;margin-top:8px;padding:13px 14px;border:1px solid #e2e5e9;
border-radius:16px 16px 16px 5px;background:#fff}
.dot{width:7px;height:7px;border-radius:50%;background:#8c959f;animation:sbdot 1.2s infinite ease-in-out}
.dot:nth-of-type(2){animation-delay:.15s}
.dot:nth-of-type(3){animation-delay:.3s}
@keyframes sbdot{0%,80%,100%{opacity:.35;transform:none}40%{opacity:1;transform:translateY(-3px)}}
@media (prefers-reduced-motion:reduce){.dot{animation:none}.launcher{transition:none}}
.composer{display:flex;align-items:flex-end;gap:8px;margin:0;padding:10px 12px;border-top:1px solid #e2e5e9;
background:#fff}
textarea{flex:1;min-width:0;max-height:140px;resize:none;border:1px solid #cfd6dd;border-radius:12px;
padding:9px 12px;background:#fff;color:inherit;font:inherit}
textarea::placeholder{color:#6e7781}
.send{flex:none;width:40px;height:40px;border:0;border-radius:50%;background:var(--a);color:var(--af);
display:grid;place-items:center}
.send svg{width:19px;height:19px}
@media (max-width:480px){:host{right:14px;bottom:14px}
.panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0}
.launcher[aria-expanded="true"]{display:none}}
`;
