// Lives inside the shadow root: the host page's CSS cannot reach in, and ours cannot leak out.
export const css = (color: string) => `
:host{all:initial}
*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:${color};color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center;z-index:2147483646}
.bubble svg{width:26px;height:26px;fill:currentColor}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#dc2626;color:#fff;font:600 12px/20px system-ui;text-align:center}
.panel{position:fixed;right:20px;bottom:88px;width:min(370px,calc(100vw - 24px));height:min(560px,calc(100vh - 110px));background:#fff;color:#111827;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22);display:flex;flex-direction:column;overflow:hidden;z-index:2147483647;font-size:14px}
.panel[hidden]{display:none}
header{background:${color};color:#fff;padding:12px 14px;display:flex;align-items:center;gap:10px}
header h2{margin:0;font-size:16px;font-weight:600;flex:1}
.status{font-size:12px;opacity:.9}
.x{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px;border-radius:6px}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}
.msg{max-width:82%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;line-height:1.4}
.customer{align-self:flex-end;background:${color};color:#fff;border-bottom-right-radius:4px}
.bot,.agent{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}
.system,.hello{align-self:center;background:transparent;color:#4b5563;font-size:13px;text-align:center;max-width:92%}
.who{display:block;font-size:11px;color:#6b7280;margin-bottom:2px}
.meta{display:block;font-size:11px;margin-top:3px;opacity:.85}
.failed{background:#fee2e2;color:#991b1b}
.fb{display:flex;gap:4px;margin-top:4px}
.fb button{border:1px solid #d1d5db;background:#fff;border-radius:6px;cursor:pointer;font-size:13px;padding:1px 6px}
.fb button[aria-pressed=true]{background:#e0f2fe;border-color:#0284c7}
.typing{min-height:18px;padding:0 14px;font-size:12px;color:#6b7280;background:#f9fafb}
form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb}
textarea{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;font-size:14px;height:42px;max-height:120px;color:#111827;background:#fff}
.send{border:0;border-radius:10px;background:${color};color:#fff;padding:0 14px;font-weight:600;cursor:pointer}
.note{padding:0 12px 8px;font-size:12px;color:#b91c1c}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
@media (prefers-reduced-motion:no-preference){.panel{animation:up .15s ease-out}@keyframes up{from{transform:translateY(8px);opacity:0}}}
`;
