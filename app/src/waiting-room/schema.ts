/**
 * Migration 3: the waiting rooms' configuration and the single-use record of admissions.
 *
 * The configuration lives in PostgreSQL, not in Redis: a Redis failover or flush must never switch a
 * room off (orders would stop needing a token) or change its inlet. Redis holds only the queue itself.
 * `served_floor` is a periodically written lower bound of Redis's serving counter, so a Redis that
 * lost its data resumes admitting where the room was, not from position 1.
 *
 * `admission_uses` is written inside the purchase transaction: an admission buys at most once, as
 * durably as the order itself (a Redis SET NX could be lost with the last writes of a failover).
 */
export const WAITING_ROOM_MIGRATION = `
CREATE TABLE waiting_rooms (
  event_id                     uuid PRIMARY KEY REFERENCES events (id),
  room_id                      uuid NOT NULL UNIQUE,
  admit_per_minute             integer CHECK (admit_per_minute BETWEEN 1 AND 1000000),
  max_active                   integer CHECK (max_active BETWEEN 1 AND 10000000),
  opens_at                     timestamptz,
  auto_open_orders_per_minute  integer CHECK (auto_open_orders_per_minute BETWEEN 1 AND 10000000),
  served_floor                 bigint NOT NULL DEFAULT 0,
  created_at                   timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT waiting_rooms_has_inlet CHECK (admit_per_minute IS NOT NULL OR max_active IS NOT NULL),
  CONSTRAINT waiting_rooms_opens CHECK (opens_at IS NOT NULL OR auto_open_orders_per_minute IS NOT NULL)
);

CREATE TABLE admission_uses (
  queue_ticket_id  uuid PRIMARY KEY,
  event_id         uuid NOT NULL REFERENCES events (id),
  room_id          uuid NOT NULL,
  order_id         uuid NOT NULL UNIQUE REFERENCES orders (id),
  used_at          timestamptz NOT NULL DEFAULT now()
);
`;
