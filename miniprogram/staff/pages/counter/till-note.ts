/**
 * What the counter tells the clerk about a store whose till reports its sales to MedLoop: points come from the till,
 * so the counter records no sale. When the till has gone quiet (the server's `tillQuiet`: nothing got through for a
 * day) or never reported, the member's points wait for it, and the clerk is told so, with when it last got through,
 * to call HQ.
 */

/** 11月24日 18:02, Beijing time */
export function beijingWhen(iso: string): string {
  const at = new Date(Date.parse(iso) + 8 * 3_600_000);
  return `${at.getUTCMonth() + 1}月${at.getUTCDate()}日 ${at.toISOString().slice(11, 16)}`;
}

export function tillNote(lookup: { tillLastOkAt: string | null; tillQuiet: boolean }): {
  quiet: boolean;
  text: string;
} {
  const { tillLastOkAt: last, tillQuiet: quiet } = lookup;
  if (last === null)
    return {
      quiet: true,
      text: '本店收银系统已开通对接，但 MedLoop 还没有收到过它的上报：顾客结账的积分要等收银系统上报后才会累计，请联系总部检查对接',
    };
  if (quiet)
    return {
      quiet,
      text: `本店收银系统自 ${beijingWhen(last)} 起没有再联通 MedLoop：顾客结账的积分要等它恢复上报后才会累计，请联系总部检查收银系统`,
    };
  return {
    quiet,
    text: `本店收银系统已对接（最近联通 ${beijingWhen(last)}）：顾客在收银台结账时出示会员码，积分由收银系统累计`,
  };
}
