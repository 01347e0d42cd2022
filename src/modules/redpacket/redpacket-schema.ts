// The red packets' own tables. A packet's shares are drawn when it is sent and stored; an open
// claims the next unopened share by moving the packet's counter, so the counter, the remaining
// amount and the status change in one conditional UPDATE.
const TABLES = [
  `CREATE TABLE redpacket_packets (
     packet_id TEXT PRIMARY KEY, sender_id TEXT NOT NULL, request_id TEXT NOT NULL, group_id TEXT NOT NULL,
     kind TEXT NOT NULL, amount_minor BIGINT NOT NULL, total_minor BIGINT NOT NULL, share_count BIGINT NOT NULL,
     greeting TEXT NOT NULL, opened_count BIGINT NOT NULL DEFAULT 0, remaining_minor BIGINT NOT NULL,
     refunded_minor BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
     expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (sender_id, request_id))`,
  'CREATE INDEX redpacket_due ON redpacket_packets (status, expires_at)',
  `CREATE TABLE redpacket_shares (
     packet_id TEXT NOT NULL, seq BIGINT NOT NULL, amount_minor BIGINT NOT NULL, PRIMARY KEY (packet_id, seq))`,
  `CREATE TABLE redpacket_opens (
     packet_id TEXT NOT NULL, user_id TEXT NOT NULL, seq BIGINT NOT NULL, amount_minor BIGINT NOT NULL,
     opened_at BIGINT NOT NULL, PRIMARY KEY (packet_id, user_id), UNIQUE (packet_id, seq))`,
].join(';\n');

/** A group's feed reads its packets newest first by a keyset cursor (redpacket-feed.ts). */
const FEED_INDEX = 'CREATE INDEX redpacket_group_feed ON redpacket_packets (group_id, created_at, packet_id)';

export const REDPACKET_MIGRATIONS = { sqlite: [TABLES, FEED_INDEX], postgres: [TABLES, FEED_INDEX] };
