import { createWeChatSimulator } from './simulator.js';

// Standalone runner: `tsx dev/wechat-sim/main.ts`. The local runner may instead mount `sim.handle` on its own server.
const port = Number(process.env.WECHAT_SIM_PORT ?? 4600);
const appid = process.env.WECHAT_APPID ?? 'wx_sim_app';
const secret = process.env.WECHAT_SECRET ?? 'sim_secret';

const sim = createWeChatSimulator({
  apps: [{ appid, secret }],
  users: [
    { id: 'wxu_001', nickname: '张阿姨', phone: '13800138001' },
    { id: 'wxu_002', nickname: '李先生', phone: '13900139002' },
  ],
});
const { url } = await sim.listen(port);
console.log(`[wechat-sim] ${url} (appid ${appid}); inbox: ${url}/__sim/inbox.html`);
