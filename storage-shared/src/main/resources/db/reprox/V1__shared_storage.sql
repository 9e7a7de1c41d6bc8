-- The metadata several reprox replicas share (issue 15). Times are nanoseconds since the epoch in
-- numeric(30,0): an Instant round-trips exactly (timestamptz keeps microseconds) and orders right.
-- Digests are the 32 raw bytes.

CREATE TABLE blobs (
  digest bytea PRIMARY KEY,
  size bigint NOT NULL,
  chunk_size integer NOT NULL,
  created_ns numeric(30, 0) NOT NULL,
  last_access_ns numeric(30, 0) NOT NULL
);

CREATE TABLE aliases (
  kind text NOT NULL,
  value bytea NOT NULL,
  target bytea NOT NULL,
  PRIMARY KEY (kind, value)
);

CREATE TABLE generations (
  repo text NOT NULL,
  root text NOT NULL,
  digest bytea NOT NULL,
  published_ns numeric(30, 0) NOT NULL,
  published_estimated boolean NOT NULL,
  first_fetched_ns numeric(30, 0) NOT NULL,
  last_fetched_ns numeric(30, 0) NOT NULL,
  signer text NOT NULL,
  source text NOT NULL,
  PRIMARY KEY (repo, root, digest)
);
CREATE INDEX generations_by_time ON generations (repo, root, published_ns, digest);

-- One row per range of T with one answer; (repo, root, from_ns) is the key the first writer wins.
CREATE TABLE pins (
  repo text NOT NULL,
  root text NOT NULL,
  from_ns numeric(30, 0) NOT NULL,
  to_ns numeric(30, 0) NOT NULL,
  generation bytea NOT NULL,
  status text NOT NULL,
  pinned_ns numeric(30, 0) NOT NULL,
  PRIMARY KEY (repo, root, from_ns)
);

CREATE TABLE listings (
  repo text NOT NULL,
  listing bytea NOT NULL,
  PRIMARY KEY (repo, listing)
);

-- expected_kind is 'SHA256' or an alias kind; expected_value the hash bytes.
CREATE TABLE path_entries (
  repo text NOT NULL,
  path text NOT NULL,
  listing bytea NOT NULL,
  expected_kind text NOT NULL,
  expected_value bytea NOT NULL,
  size bigint NOT NULL,
  PRIMARY KEY (repo, path, listing, expected_kind, expected_value)
);

CREATE TABLE refs (
  repo text NOT NULL,
  path text NOT NULL,
  digest bytea NOT NULL,
  seen_ns numeric(30, 0) NOT NULL,
  PRIMARY KEY (repo, path)
);
