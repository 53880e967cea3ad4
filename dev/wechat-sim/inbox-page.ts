import { escapeHtml } from './sim-http.js';
import type { SentMessage, SimUser } from './simulator.types.js';

// Members read their reminders in China: render times as WeChat would show them there, whatever TZ the host runs in.
const shanghaiTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export function formatShanghaiTime(ms: number): string {
  return shanghaiTime.format(new Date(ms));
}

function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

function renderMessage(msg: SentMessage): string {
  const rows = Object.entries(msg.data)
    .map(
      ([key, field]) =>
        `<div class="row"><span class="key">${escapeHtml(key)}</span><span class="val">${escapeHtml(field.value)}</span></div>`,
    )
    .join('');
  const page = msg.page
    ? `<div class="page">进入小程序查看 <code>${escapeHtml(msg.page)}</code><span class="chev">›</span></div>`
    : '';
  return `<article class="card">
  <header><span class="app">${escapeHtml(msg.appid)}</span><time>${escapeHtml(formatShanghaiTime(msg.sentAt))}</time></header>
  <h3>${escapeHtml(msg.templateId)}</h3>
  <div class="fields">${rows}</div>
  <footer><span class="meta">msgid ${escapeHtml(String(msg.msgid))} · ${escapeHtml(msg.state)}</span>${page}</footer>
</article>`;
}

export function renderInboxPage(users: readonly SimUser[], messages: readonly SentMessage[], userId?: string): string {
  const shown = users.filter((u) => !userId || u.id === userId);
  const options = [
    `<option value="">全部用户</option>`,
    ...users.map(
      (u) =>
        `<option value="${escapeHtml(u.id)}"${u.id === userId ? ' selected' : ''}>${escapeHtml(u.nickname)}（${escapeHtml(u.id)}）</option>`,
    ),
  ].join('');
  const sections = shown
    .map((u) => {
      const own = messages.filter((m) => m.userId === u.id).sort((a, b) => b.sentAt - a.sentAt || b.seq - a.seq);
      const body = own.length ? own.map(renderMessage).join('') : '<p class="empty">暂无服务通知</p>';
      return `<section class="user">
  <h2>${escapeHtml(u.nickname)} <small>${escapeHtml(u.id)} · ${escapeHtml(maskPhone(u.phone))} · ${own.length} 条</small></h2>
  ${body}
</section>`;
    })
    .join('');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>服务通知 · 微信模拟器</title>
<style>
  :root { color-scheme: light; }
  * { box-sizing: border-box; }
  body { margin: 0; background: #ededed; color: #191919; font: 15px/1.5 -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
  .bar { position: sticky; top: 0; background: #ededed; border-bottom: 1px solid #d9d9d9; padding: 12px 16px; display: flex; align-items: center; gap: 12px; }
  .bar h1 { font-size: 17px; margin: 0; flex: 1; text-align: center; white-space: nowrap; }
  .bar form { margin: 0; }
  .bar select { font: inherit; padding: 4px 8px; border-radius: 6px; border: 1px solid #ccc; background: #fff; max-width: 40%; }
  .bar a { color: #576b95; text-decoration: none; }
  main { max-width: 560px; margin: 0 auto; padding: 8px 12px 40px; }
  .user h2 { font-size: 14px; color: #7f7f7f; font-weight: 500; margin: 20px 4px 8px; }
  .user h2 small { font-size: 12px; margin-left: 6px; }
  .card { background: #fff; border-radius: 8px; padding: 14px 16px 0; margin: 10px 0; }
  .card header { display: flex; justify-content: space-between; color: #7f7f7f; font-size: 12px; }
  .card h3 { font-size: 17px; margin: 6px 0 10px; font-weight: 500; word-break: break-all; }
  .row { display: flex; gap: 12px; padding: 3px 0; }
  .key { color: #7f7f7f; min-width: 7em; }
  .val { word-break: break-all; }
  .card footer { border-top: 1px solid #eee; margin-top: 12px; padding: 10px 0; font-size: 13px; color: #7f7f7f; }
  .page { color: #191919; margin-top: 4px; display: flex; align-items: center; gap: 6px; }
  .page code { color: #576b95; font-size: 12px; }
  .chev { margin-left: auto; color: #b2b2b2; font-size: 18px; }
  .empty { text-align: center; color: #b2b2b2; padding: 16px 0; }
</style>
</head>
<body>
<div class="bar">
  <form method="get" action="inbox.html"><select name="userId" onchange="this.form.submit()">${options}</select></form>
  <h1>服务通知</h1>
  <a href="">刷新</a>
</div>
<main>
${sections || '<p class="empty">还没有模拟用户</p>'}
</main>
</body>
</html>`;
}
