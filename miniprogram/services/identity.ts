import {
  DecidedSeparationsResponse,
  HealthResponse,
  HeldDecideBody,
  HeldDecideResponse,
  HeldMatchesResponse,
  HeldReviewDecideBody,
  HeldReviewDecideResponse,
  HeldReviewsResponse,
  ImportContinueBody,
  ImportFormatArchiveBody,
  ImportFormatArchiveResponse,
  ImportFormatCreateBody,
  ImportFormatPreviewBody,
  ImportFormatPreviewResponse,
  ImportListResponse,
  ImportMappingsResponse,
  ImportMappingView,
  ImportRefusedFile,
  ImportUploadBody,
  ImportView,
  MergeRestoreBody,
  MergeRestoreResponse,
  MergesResponse,
  MergeUndoBody,
  MergeUndoResponse,
  type PhoneProblem,
  PhoneRecordsResponse,
  QualityRecordsResponse,
  QualityRefreshBody,
  QualityRefreshResponse,
  QualityResponse,
  QuarantineResolveBody,
  QuarantineResolveResponse,
  QuarantineResponse,
  SeparationCreateBody,
  SeparationCreateResponse,
  SeparationLiftBody,
  SeparationLiftResponse,
  StoreQualityResponse,
  SuggestionDecideBody,
  SuggestionDecideResponse,
  SuggestionsResponse,
} from '@shared/contracts/identity';
import { apiRequest } from './http';

const qs = (params: Record<string, string | undefined>): string => {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

/** A page of a list: the phone searched (as typed), and the previous page's `nextCursor`. */
export interface ListPage {
  phone?: string;
  cursor?: string;
}

/**
 * Held POS-card matches (member), merge suggestions (store manager and up), the merge history, undo and integration
 * health (HQ). Typed by the shared contracts.
 */
export const identityApi = {
  heldMatches: () =>
    apiRequest({ method: 'GET', path: '/api/identity/held-matches', auth: 'member', schema: HeldMatchesResponse }),
  decideHeld: (matchId: string, decision: 'confirm' | 'decline') =>
    apiRequest({
      method: 'POST',
      path: '/api/identity/held-matches/decide',
      body: { matchId, decision },
      bodySchema: HeldDecideBody,
      auth: 'member',
      schema: HeldDecideResponse,
    }),
  /** a page of the open merge suggestions in the caller's stores, oldest first; by phone: the customer's */
  suggestions: (page: ListPage = {}) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/suggestions${qs({ phone: page.phone, cursor: page.cursor })}`,
      auth: 'staff',
      schema: SuggestionsResponse,
    }),
  /** cards the linker held on a shared phone, in the caller's stores, each beside the member it may be: a page */
  holds: (page: ListPage = {}) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/holds${qs({ phone: page.phone, cursor: page.cursor })}`,
      auth: 'staff',
      schema: HeldReviewsResponse,
    }),
  decideHold: (id: string, decision: 'confirm' | 'reject') =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/holds/decide',
      body: { id, decision },
      bodySchema: HeldReviewDecideBody,
      auth: 'staff',
      schema: HeldReviewDecideResponse,
    }),
  /** HQ: the "not the same person" decisions of every store, newest first: a page */
  separations: (page: ListPage = {}) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/separations${qs({ phone: page.phone, cursor: page.cursor })}`,
      auth: 'staff',
      schema: DecidedSeparationsResponse,
    }),
  /** HQ: the records carrying a phone, to pick two to mark as two people (audited server-side) */
  phoneRecords: (phone: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/records${qs({ phone })}`,
      auth: 'staff',
      schema: PhoneRecordsResponse,
    }),
  /** HQ marks two records of two customers as two people: no linker joins them while the mark stands */
  markApart: (body: SeparationCreateBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/separations/create',
      body,
      bodySchema: SeparationCreateBody,
      auth: 'staff',
      schema: SeparationCreateResponse,
    }),
  /** HQ takes a "not the same person" decision back: the hold or suggestion is open again */
  liftSeparation: (id: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/separations/lift',
      body: { id },
      bodySchema: SeparationLiftBody,
      auth: 'staff',
      schema: SeparationLiftResponse,
    }),
  decideSuggestion: (id: string, decision: 'confirm' | 'reject') =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/suggestions/decide',
      body: { id, decision },
      bodySchema: SuggestionDecideBody,
      auth: 'staff',
      schema: SuggestionDecideResponse,
    }),
  merges: (filter: ListPage) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/merges${qs({ phone: filter.phone, cursor: filter.cursor })}`,
      auth: 'staff',
      schema: MergesResponse,
    }),
  undoMerge: (mergeId: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/merges/undo',
      body: { mergeId },
      bodySchema: MergeUndoBody,
      auth: 'staff',
      schema: MergeUndoResponse,
    }),
  /** takes back HQ's own undo: the two sides are merged again and no longer kept apart */
  restoreMerge: (mergeId: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/merges/restore',
      body: { mergeId },
      bodySchema: MergeRestoreBody,
      auth: 'staff',
      schema: MergeRestoreResponse,
    }),
  health: () =>
    apiRequest({ method: 'GET', path: '/api/staff/identity/health', auth: 'staff', schema: HealthResponse }),
  /** what partners sent that could not be taken in, newest first (HQ; audited) */
  /** open quarantined items, newest first: of one source, or of all */
  quarantine: (q: { source?: string; cursor?: string } = {}) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/quarantine${qs({ source: q.source, cursor: q.cursor })}`,
      auth: 'staff',
      schema: QuarantineResponse,
    }),
  resolveQuarantined: (id: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/quarantine/resolve',
      body: { id },
      bodySchema: QuarantineResolveBody,
      auth: 'staff',
      schema: QuarantineResolveResponse,
    }),
  importFormats: () =>
    apiRequest({
      method: 'GET',
      path: '/api/staff/identity/imports/formats',
      auth: 'staff',
      schema: ImportMappingsResponse,
    }),
  /** 新建导入格式: a sample file's columns, the mapping tried and its first records or orders (nothing stored) */
  previewImportFormat: (body: ImportFormatPreviewBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/import-formats/preview',
      body,
      bodySchema: ImportFormatPreviewBody,
      auth: 'staff',
      schema: ImportFormatPreviewResponse,
    }),
  createImportFormat: (body: ImportFormatCreateBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/import-formats/create',
      body,
      bodySchema: ImportFormatCreateBody,
      auth: 'staff',
      schema: ImportMappingView,
    }),
  archiveImportFormat: (name: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/import-formats/archive',
      body: { name },
      bodySchema: ImportFormatArchiveBody,
      auth: 'staff',
      schema: ImportFormatArchiveResponse,
    }),
  imports: () =>
    apiRequest({ method: 'GET', path: '/api/staff/identity/imports', auth: 'staff', schema: ImportListResponse }),
  /** stores the file and runs the import's first step (up to the server's IMPORT_STEP_MS) */
  uploadImport: (body: ImportUploadBody) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/imports/upload',
      body,
      bodySchema: ImportUploadBody,
      auth: 'staff',
      schema: ImportView,
      timeoutMs: 90_000,
    }),
  /** the next step of a running import: one request of up to the server's IMPORT_STEP_MS */
  /** the refused rows of an import as a file (its own columns and 拒收原因); each download is audited */
  importRefused: (id: string) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/imports/refused${qs({ id })}`,
      auth: 'staff',
      schema: ImportRefusedFile,
    }),
  continueImport: (id: string) =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/imports/continue',
      body: { id },
      bodySchema: ImportContinueBody,
      auth: 'staff',
      schema: ImportView,
      timeoutMs: 90_000,
    }),
  quality: () =>
    apiRequest({ method: 'GET', path: '/api/staff/identity/quality', auth: 'staff', schema: QualityResponse }),
  /** one store's POS cards with one kind of unusable phone, a page at a time (audited) */
  qualityRecords: (q: { storeId: string; problem: PhoneProblem; cursor?: string }) =>
    apiRequest({
      method: 'GET',
      path: `/api/staff/identity/quality/records${qs({ storeId: q.storeId, problem: q.problem, cursor: q.cursor })}`,
      auth: 'staff',
      schema: QualityRecordsResponse,
    }),
  /** the latest report's POS lines of the caller's store or region */
  storeQuality: () =>
    apiRequest({
      method: 'GET',
      path: '/api/staff/identity/quality/stores',
      auth: 'staff',
      schema: StoreQualityResponse,
    }),
  /** computes a fresh report (seconds on a large base), or returns the one of the last minute */
  refreshQuality: () =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/quality/refresh',
      body: {},
      bodySchema: QualityRefreshBody,
      auth: 'staff',
      schema: QualityRefreshResponse,
    }),
};
