/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · openvc</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;justify-content:center}
main{background:#fff;margin:48px 16px;padding:28px 32px;border-radius:10px;max-width:440px;width:100%;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin:0 0 8px} p{color:#444;line-height:1.4} .err{color:#b00020}
label.user{display:flex;gap:10px;align-items:center;padding:8px;border:1px solid #ddd;border-radius:6px;margin:6px 0;cursor:pointer}
ul.scopes{font-size:13px;color:#555;padding-left:18px} .row{display:flex;gap:10px;margin-top:18px}
button{flex:1;padding:10px;border-radius:6px;border:1px solid #3370ff;font-size:15px;cursor:pointer}
button.allow{background:#3370ff;color:#fff} button.deny{background:#fff;color:#3370ff}
button.link{border:0;padding:0;background:none;color:#3370ff;font-size:inherit;text-decoration:underline}
.fields label{display:block;margin:10px 0;font-size:14px} .fields input{display:block;width:100%;box-sizing:border-box;padding:8px;margin-top:4px;border:1px solid #ccc;border-radius:6px}
</style></head><body><main>${body}</main></body></html>`;
}
