-- reprox gc (issue 12) deletes a repository's path entries by listing; the primary key leads with
-- path, so without this index each listing's delete would scan every entry of the repository.
CREATE INDEX path_entries_by_listing ON path_entries (repo, listing);
