-- One POS redemption written in one statement (one round trip, atomic without BEGIN/COMMIT). The use case has read
-- the coupon and decided with the shared rules (shared/coupons) before calling; this function only writes, in the
-- order that keeps the guarantees of the transaction it replaces (functions/app/pos/redeem.ts):
--   1. claim the idempotency key WITH its answer: a concurrent request with the same key waits on the unique index
--      until this statement's transaction ends, then reads the stored answer (outcome 'stored');
--   2. the conditional UPDATE: of any number of concurrent attempts exactly one finds the coupon still available;
--      when it is gone, the claim is deleted again, so a refused request stores nothing (outcome 'used');
--   3. the redemption row (outcome 'redeemed').
CREATE OR REPLACE FUNCTION pos_redeem_coupon(
  p_key_id text,
  p_idempotency_key text,
  p_request_hash text,
  p_response jsonb,
  p_coupon_id text,
  p_customer_id text,
  p_store_id text,
  p_redemption_id text,
  p_external_order_id text,
  p_order_amount_fen integer,
  p_discount_fen integer,
  p_now timestamptz
) RETURNS TABLE (outcome text, stored_hash text, stored_response jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_request_id bigint;
BEGIN
  INSERT INTO partner_requests AS pr (key_id, operation, idempotency_key, request_hash, status, response)
  VALUES (p_key_id, 'redeem', p_idempotency_key, p_request_hash, 200, p_response)
  ON CONFLICT (key_id, operation, idempotency_key) DO NOTHING
  RETURNING pr.id INTO v_request_id;
  IF v_request_id IS NULL THEN
    -- a new statement, a new snapshot: the answer of the transaction we may have waited for is visible
    RETURN QUERY SELECT 'stored'::text, pr.request_hash, pr.response FROM partner_requests pr
      WHERE pr.key_id = p_key_id AND pr.operation = 'redeem' AND pr.idempotency_key = p_idempotency_key;
    RETURN;
  END IF;
  UPDATE coupons c SET status = 'redeemed', redeemed_at = p_now, redeemed_store_id = p_store_id
    WHERE c.id = p_coupon_id AND c.status = 'available' AND c.valid_until > p_now;
  IF NOT FOUND THEN
    DELETE FROM partner_requests pr WHERE pr.id = v_request_id;
    RETURN QUERY SELECT 'used'::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO coupon_redemptions (id, coupon_id, customer_id, store_id, key_id, external_order_id, order_amount_fen,
    discount_fen, status, redeemed_at)
  VALUES (p_redemption_id, p_coupon_id, p_customer_id, p_store_id, p_key_id, p_external_order_id, p_order_amount_fen,
    p_discount_fen, 'redeemed', p_now);
  RETURN QUERY SELECT 'redeemed'::text, p_request_hash, p_response;
END;
$$;
