/**
 * Every machine-readable error code the API can answer with, and its HTTP status.
 * One table, checked exhaustively by the compiler: adding a code without a status fails the type check.
 * Contexts add their own codes here so the mini-program can map each to Chinese text (shared/i18n/errors.ts).
 */
export const ERROR_STATUS = {
  // generic request problems (the endpoint wrapper)
  BAD_JSON: 400,
  BODY_NOT_UTF8: 400,
  VALIDATION_FAILED: 400,
  METHOD_NOT_ALLOWED: 405,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 503,
  // authentication and access
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  STAFF_DISABLED: 403,
  STAFF_NOT_BOUND: 403,
  FORBIDDEN: 403,
  // WeChat platform outcomes surfaced to clients
  WX_CODE_INVALID: 400,
  WX_PHONE_CODE_INVALID: 400,
  PHONE_NOT_INVITED: 403,
  // signed server-to-server calls (POS, mall, WeCom)
  SIGNATURE_INVALID: 401,
  SIGNATURE_EXPIRED: 401,
  IDEMPOTENCY_CONFLICT: 409,
  // onboarding: sign-up codes, sign-up, consent, member code
  SCENE_INVALID: 400,
  STORE_NOT_FOUND: 404,
  CLERK_NOT_FOUND: 404,
  PHONE_NOT_MOBILE: 422,
  PHONE_CODE_IN_PROGRESS: 409,
  CONSENT_REQUIRED: 422,
  CONSENT_VERSION_STALE: 409,
  NOT_REGISTERED: 403,
  MEMBER_CODE_INVALID: 404,
  MEMBER_CODE_EXPIRED: 410,
  // loyalty: coupons, points, POS redemption and order ingest
  COUPON_CODE_INVALID: 400,
  COUPON_NOT_FOUND: 404,
  COUPON_USED: 409,
  COUPON_VOIDED: 409,
  COUPON_EXPIRED: 409,
  COUPON_NOT_YET_VALID: 409,
  STORE_NOT_APPLICABLE: 422,
  NO_ELIGIBLE_ITEMS: 422,
  BELOW_THRESHOLD: 422,
  NO_APPLICABLE_COUPON: 422,
  /** 每单限用一张: the till's receipt (store + externalOrderId) already has another coupon's live redemption */
  ORDER_HAS_COUPON: 409,
  ORDER_AMOUNT_MISMATCH: 400,
  /** a line's amount more than its quantity × unit price (less is a line discount) */
  ORDER_LINE_AMOUNT_INVALID: 400,
  /** orderedAt more than an hour ahead of the server's clock, or before 2000 */
  ORDER_DATE_INVALID: 400,
  REDEMPTION_NOT_FOUND: 404,
  COUPON_TEMPLATE_NOT_FOUND: 404,
  COUPON_TEMPLATE_INACTIVE: 409,
  COUPON_TEMPLATE_CODE_TAKEN: 409,
  COUPON_OUT_OF_STOCK: 409,
  COUPON_LIMIT_REACHED: 409,
  // coupon template management: what may change once coupons were issued, and the pause/resume/end lifecycle
  COUPON_TEMPLATE_RULES_FROZEN: 409,
  COUPON_TEMPLATE_ENDED: 409,
  COUPON_STOCK_BELOW_ISSUED: 409,
  COUPON_VALIDITY_INVALID: 422,
  COUPON_RULE_INVALID: 422,
  /** a category the catalogue does not have (a template limited to it would never apply) */
  COUPON_CATEGORY_UNKNOWN: 422,
  /** sign-up's and the birthday month's templates are issued by the system only, never by hand */
  COUPON_TEMPLATE_AUTO_ISSUED: 409,
  /** a chain-wide template costs the whole chain: only HQ issues it by hand */
  COUPON_TEMPLATE_HQ_ONLY: 403,
  MEMBER_NOT_FOUND: 404,
  BIRTHDAY_ALREADY_SET: 409,
  INSUFFICIENT_POINTS: 409,
  POINTS_EXCEED_ORDER: 422,
  POINTS_SPEND_NOT_FOUND: 404,
  HELD_MATCH_NOT_FOUND: 404,
  HELD_MATCH_NEEDS_STORE: 409,
  SUGGESTION_NOT_FOUND: 404,
  MERGE_NOT_FOUND: 404,
  ALREADY_DECIDED: 409,
  SEPARATION_NOT_FOUND: 404,
  IDENTITY_KEPT_APART: 409,
  RECORD_NOT_FOUND: 404,
  SEPARATION_SAME_CUSTOMER: 409,
  SEPARATION_PROPOSAL_OPEN: 409,
  MERGE_NOT_SEPARATED: 409,
  /** the merge's member closed the account: its evidence is erased and it can no longer be undone or restored */
  MERGE_ERASED: 409,
  // file imports from the staff pages
  IMPORT_MAPPING_UNKNOWN: 400,
  IMPORT_TOO_LARGE: 413,
  IMPORT_NOT_FOUND: 404,
  IMPORT_NO_REFUSED_ROWS: 404,
  IMPORT_FILE_EMPTY: 422,
  IMPORT_FILE_ENCODING: 422,
  IMPORT_COLUMNS_MISMATCH: 422,
  /** the header names a column the format reads twice (csv-parse would keep the last one's values silently) */
  IMPORT_COLUMNS_DUPLICATE: 422,
  // upload formats HQ makes on the staff pages
  IMPORT_FORMAT_INVALID: 422,
  IMPORT_FORMAT_LABEL_TAKEN: 409,
  IMPORT_FORMAT_NOT_FOUND: 404,
  // the store counter on the staff pages (scan, redeem, void)
  COUNTER_NOT_AT_STORE: 403,
  COUNTER_SESSION_INVALID: 400,
  COUNTER_SESSION_EXPIRED: 410,
  REDEMPTION_NOT_VOIDABLE: 409,
  COUNTER_TILL_CONNECTED: 409,
  /** the member scanned closed the account since: nothing more is redeemed or recorded for them */
  MEMBER_ACCOUNT_CLOSED: 409,
  ORDER_NOT_FOUND: 404,
  SALE_NOT_VOIDABLE: 409,
  PRODUCT_NOT_FOUND: 422,
  /** the scan was a coupon's own code: its token redeems that coupon only (no other coupon, points or sale) */
  COUNTER_SCAN_COUPON_ONLY: 403,
  /** a category coupon on an order with none of its categories (by the items, or the category part typed) */
  COUPON_CATEGORY_NOT_IN_ORDER: 422,
  /** the order amount above the items' catalogue total, or below it by more than COUNTER_ITEMS_MAX_DISCOUNT_PERCENT */
  COUNTER_ITEMS_AMOUNT_MISMATCH: 422,
  /** 批量发券: more phone numbers pasted at once than ISSUE_LIST_MAX (shared/contracts/loyalty.ts) */
  PHONE_LIST_TOO_LONG: 422,
  /** a till's request names a store (`storeId`) other than the one its POS key is bound to */
  STORE_NOT_KEYS_STORE: 403,
  /** a till's order number already recorded at its store with other contents: a recorded sale is not rewritten */
  ORDER_CHANGED: 409,
  /** a till's order above COUNTER_MAX_ORDER_FEN (100,000 yuan), the counter's bound: a typo, not a sale */
  ORDER_AMOUNT_TOO_LARGE: 422,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);

/** The one error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

/** Expected outcomes are values, not exceptions (STYLE.md section 5). */
export type Result<T, C extends ErrorCode = ErrorCode> =
  | { ok: true; value: T }
  | { ok: false; code: C; message?: string; details?: unknown };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <C extends ErrorCode>(code: C, message?: string, details?: unknown) =>
  ({ ok: false, code, message, details }) as const;
