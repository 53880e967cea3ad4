-- A POS redemption by coupon code in ONE round trip: the use case's fast path (functions/app/pos/redeem.ts).
-- The shared rules (shared/coupons) still decide. Before calling, the use case has evaluated the order against each
-- coupon template it holds in its cache (store, eligible items, prescription lines, threshold, discount) and passes,
-- for every template that accepts the order, its id, the fingerprint of the row it evaluated, the discount, the
-- eligible amount and the headline. This function finds the coupon by its code and writes only when
--   - the coupon's template is one of those, with the same fingerprint (the rule the caller evaluated is the row in
--     the database), and
--   - the coupon is redeemable now, as the rules' couponLifecycle says: available, valid_from <= now < valid_until;
-- and then exactly as pos_redeem_coupon (0011): claim the idempotency key WITH its answer, the conditional UPDATE
-- (of any number of concurrent attempts exactly one finds the coupon available; a loser deletes its claim: a refused
-- request stores nothing), the redemption row. Anything else writes nothing and answers 'undecided', with the key's
-- stored answer when it has one (a replay), and the caller decides as before: read, rules, pos_redeem_coupon.

-- What a cached template stands for: the whole row but the columns that change without changing the template
-- (issued_count moves with every issue of a limited stock). Any edit (name, rule before the first issue, status)
-- changes it, so a stale cache only costs the slow path, never a wrong answer.
CREATE OR REPLACE FUNCTION coupon_template_fingerprint(t coupon_templates) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT md5((to_jsonb(t) - 'issued_count' - 'updated_at')::text)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION pos_redeem_coupon_by_code(
  p_key_id text,
  p_idempotency_key text,
  p_request_hash text,
  p_code text,
  p_store_id text,
  p_redemption_id text,
  p_external_order_id text,
  p_order_amount_fen integer,
  p_now timestamptz,
  -- the answer's request-level fields (redemptionId, storeId, orderAmountFen, redeemedAt)
  p_response_base jsonb,
  -- one entry per template that accepts this order
  p_template_ids text[],
  p_fingerprints text[],
  p_discount_fen integer[],
  p_eligible_fen integer[],
  p_headlines text[]
) RETURNS TABLE (outcome text, stored_hash text, stored_response jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_coupon_id text;
  v_customer_id text;
  v_template_id text;
  v_template_name text;
  v_fingerprint text;
  v_status text;
  v_valid_from timestamptz;
  v_valid_until timestamptz;
  v_i integer;
  v_response jsonb;
  v_request_id bigint;
BEGIN
  SELECT c.id, c.customer_id, c.status, c.valid_from, c.valid_until, t.id, t.name, coupon_template_fingerprint(t)
    INTO v_coupon_id, v_customer_id, v_status, v_valid_from, v_valid_until, v_template_id, v_template_name,
      v_fingerprint
    FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
    WHERE c.code = p_code;
  IF v_coupon_id IS NOT NULL THEN
    v_i := array_position(p_template_ids, v_template_id);
  END IF;
  IF v_i IS NULL
    OR p_fingerprints[v_i] IS DISTINCT FROM v_fingerprint
    OR v_status <> 'available' OR p_now < v_valid_from OR p_now >= v_valid_until THEN
    RETURN QUERY SELECT 'undecided'::text, pr.request_hash, pr.response FROM partner_requests pr
      WHERE pr.key_id = p_key_id AND pr.operation = 'redeem' AND pr.idempotency_key = p_idempotency_key
        AND pr.response IS NOT NULL;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'undecided'::text, NULL::text, NULL::jsonb;
    END IF;
    RETURN;
  END IF;

  v_response := p_response_base || jsonb_build_object(
    'couponId', v_coupon_id,
    'couponName', v_template_name,
    'headline', p_headlines[v_i],
    'customerId', v_customer_id,
    'eligibleFen', p_eligible_fen[v_i],
    'discountFen', p_discount_fen[v_i],
    'payableFen', p_order_amount_fen - p_discount_fen[v_i]);

  INSERT INTO partner_requests AS pr (key_id, operation, idempotency_key, request_hash, status, response)
  VALUES (p_key_id, 'redeem', p_idempotency_key, p_request_hash, 200, v_response)
  ON CONFLICT (key_id, operation, idempotency_key) DO NOTHING
  RETURNING pr.id INTO v_request_id;
  IF v_request_id IS NULL THEN
    -- a new statement, a new snapshot: the answer of the transaction we may have waited for is visible
    RETURN QUERY SELECT 'stored'::text, pr.request_hash, pr.response FROM partner_requests pr
      WHERE pr.key_id = p_key_id AND pr.operation = 'redeem' AND pr.idempotency_key = p_idempotency_key;
    RETURN;
  END IF;
  UPDATE coupons c SET status = 'redeemed', redeemed_at = p_now, redeemed_store_id = p_store_id
    WHERE c.id = v_coupon_id AND c.status = 'available' AND c.valid_until > p_now AND c.valid_from <= p_now;
  IF NOT FOUND THEN
    DELETE FROM partner_requests pr WHERE pr.id = v_request_id;
    RETURN QUERY SELECT 'used'::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  INSERT INTO coupon_redemptions (id, coupon_id, customer_id, store_id, key_id, external_order_id, order_amount_fen,
    discount_fen, status, redeemed_at)
  VALUES (p_redemption_id, v_coupon_id, v_customer_id, p_store_id, p_key_id, p_external_order_id, p_order_amount_fen,
    p_discount_fen[v_i], 'redeemed', p_now);
  RETURN QUERY SELECT 'redeemed'::text, p_request_hash, v_response;
END;
$$;
