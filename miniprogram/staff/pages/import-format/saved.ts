/** Set by 新建导入格式 when it saves: 数据导入 selects that format when it shows again. */
export const NEW_FORMAT_KEY = 'ml.staff.importFormat.saved';
