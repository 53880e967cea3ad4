-- The one-coupon-per-receipt check of 0048 was written twice, in pos_redeem_coupon and in pos_redeem_coupon_by_code.
-- It now lives once, in pos_order_coupon_refusal, and both call it. Behaviour is unchanged (see 0048 for the rule,
-- what is not checked and the race left): the check runs where it ran, before the idempotency key is claimed, as its
-- own statements in a VOLATILE function, so each sees a fresh snapshot as the inlined statements did.
--
-- pos_order_coupon_refusal returns no row when the receipt is free for p_coupon_id (no receipt number, no live
-- redemption on it, or only this coupon's), and otherwise one row, the caller's answer: the key's stored answer if it
-- has one ('stored', a replay or a conflict), else 'order_has_coupon' with the redemption already on the receipt.
CREATE OR REPLACE FUNCTION pos_order_coupon_refusal(
  p_key_id text,
  p_idempotency_key text,
  p_store_id text,
  p_external_order_id text,
  p_coupon_id text
) RETURNS TABLE (outcome text, stored_hash text, stored_response jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_order_coupon_id text;
  v_order_redemption_id text;
BEGIN
  IF p_external_order_id IS NULL THEN
    RETURN;
  END IF;
  SELECT r.coupon_id, r.id INTO v_order_coupon_id, v_order_redemption_id
    FROM coupon_redemptions r
    WHERE r.store_id = p_store_id AND r.external_order_id = p_external_order_id AND r.status = 'redeemed'
      AND r.coupon_id <> p_coupon_id
    ORDER BY r.redeemed_at, r.id
    LIMIT 1;
  IF v_order_coupon_id IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT 'stored'::text, pr.request_hash, pr.response FROM partner_requests pr
    WHERE pr.key_id = p_key_id AND pr.operation = 'redeem' AND pr.idempotency_key = p_idempotency_key
      AND pr.response IS NOT NULL;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'order_has_coupon'::text, NULL::text,
      jsonb_build_object('couponId', v_order_coupon_id, 'redemptionId', v_order_redemption_id);
  END IF;
END;
$$;
--> statement-breakpoint
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
  -- one coupon per receipt: another coupon's live redemption on it refuses this one, before anything is written
  RETURN QUERY SELECT * FROM pos_order_coupon_refusal(p_key_id, p_idempotency_key, p_store_id, p_external_order_id,
    p_coupon_id);
  IF FOUND THEN
    RETURN;
  END IF;

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

  -- one coupon per receipt, as pos_redeem_coupon: the rules accepted this coupon and it is redeemable, so this is the
  -- only refusal left and it is answered here, in the same round trip (the slow path would answer the same)
  RETURN QUERY SELECT * FROM pos_order_coupon_refusal(p_key_id, p_idempotency_key, p_store_id, p_external_order_id,
    v_coupon_id);
  IF FOUND THEN
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
