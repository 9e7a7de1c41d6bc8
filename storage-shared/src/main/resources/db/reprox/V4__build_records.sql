-- Build records (issue 11): one head row per label, its entries deleted with it. at_key is the T
-- asked for as text (or 'live'), part of the key; at_ns the same T as a value.
CREATE TABLE build_labels (
  label text PRIMARY KEY,
  first_used_ns numeric(30, 0) NOT NULL,
  last_used_ns numeric(30, 0) NOT NULL,
  entries bigint NOT NULL,
  truncated boolean NOT NULL
);
CREATE INDEX build_labels_by_last_use ON build_labels (last_used_ns);

CREATE TABLE build_entries (
  label text NOT NULL REFERENCES build_labels (label) ON DELETE CASCADE,
  repo text NOT NULL,
  at_key text NOT NULL,
  path text NOT NULL,
  at_ns numeric(30, 0),
  root text,
  generation bytea,
  published_ns numeric(30, 0),
  sha256 bytea NOT NULL,
  size bigint NOT NULL,
  pin text,
  is_package boolean NOT NULL,
  served_ns numeric(30, 0) NOT NULL,
  PRIMARY KEY (label, repo, at_key, path)
);
