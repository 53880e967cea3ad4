import { ImportColumnsDuplicate } from '@shared/contracts/identity';
import { isApiError } from '../../../services/api-error';

/**
 * IMPORT_COLUMNS_DUPLICATE (an upload, or a format's sample) in words naming the columns: the header has two columns
 * of one name that the format reads, so nothing was imported. Null for any other error.
 */
export function duplicateColumnsText(error: unknown): string | null {
  if (!isApiError(error) || error.code !== 'IMPORT_COLUMNS_DUPLICATE') return null;
  const details = ImportColumnsDuplicate.safeParse(error.details);
  if (!details.success || details.data.columns.length === 0) return error.message;
  const names = details.data.columns.map((c) => `「${c}」`).join('');
  return `文件首行有不止一列叫${names}，无法确定该读哪一列，未导入任何数据。请在表格中删除多余的${names}列或给它改名，再重新上传。`;
}
