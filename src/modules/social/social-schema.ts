// The social graph's own tables. Friendship is stored in both directions so "my friends" is one
// index range; a group keeps its member count beside it so the cap is checked without counting.
const TABLES = [
  `CREATE TABLE social_friends (
     user_id TEXT NOT NULL, friend_id TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, friend_id))`,
  `CREATE TABLE social_groups (
     group_id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL, request_id TEXT NOT NULL,
     member_count BIGINT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (owner_id, request_id))`,
  `CREATE TABLE social_group_members (
     group_id TEXT NOT NULL, user_id TEXT NOT NULL, joined_at BIGINT NOT NULL,
     PRIMARY KEY (group_id, user_id))`,
  'CREATE INDEX social_member_groups ON social_group_members (user_id, group_id)',
].join(';\n');

export const SOCIAL_MIGRATIONS = { sqlite: [TABLES], postgres: [TABLES] };
