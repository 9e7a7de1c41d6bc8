-- Single flight across replicas (issue 15): one row per fill in progress, held until expires_ns.
-- A replica killed mid-fill stops renewing; once its lease expires another replica takes it over.
CREATE TABLE fill_leases (
  key text PRIMARY KEY,
  owner text NOT NULL,
  expires_ns numeric(30, 0) NOT NULL
);
