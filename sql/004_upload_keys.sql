-- Served copies: clients only ever write upload keys (u/<user>/<random>),
-- with presigned PUTs that stay valid for minutes; once complete has
-- checked an upload, the server writes the copy that is served under a
-- key of its own (i/<user>/<random>), which no client URL can write.
--
--   upload_key  what the client was allowed to PUT (NULL for images
--               stored before this migration: they keep serving key)
--   key         what is served; NULL while pending, until complete
--               chooses it (just before it writes the copy)

ALTER TABLE images ADD COLUMN upload_key text UNIQUE;
ALTER TABLE images ALTER COLUMN key DROP NOT NULL;

-- Uploads in flight keep working: their key becomes the upload key.
UPDATE images SET upload_key = key, key = NULL WHERE state = 'pending';

ALTER TABLE images ADD CONSTRAINT images_has_key
    CHECK (key IS NOT NULL OR upload_key IS NOT NULL);
ALTER TABLE images ADD CONSTRAINT images_ready_is_served
    CHECK (state = 'pending' OR key IS NOT NULL);
