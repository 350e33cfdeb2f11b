-- What readers see, and who may log in, changes only through writes to
-- these tables; every such write tells every kblog instance, so that
-- their caches (rendered pages, session lookups) are never served stale
-- beyond the time a notification takes.
--
-- Triggers send NOTIFY kblog with a payload saying what changed: 'd'
-- the data pages show (posts, comments, likes, images), 'a' who is
-- logged in (sessions, api_tokens), 'da' both (users: names on pages,
-- and accounts).  Row triggers, so that a statement that changes no row
-- (a like that was there already, a CTE whose UPDATE matched nothing)
-- says nothing; TRUNCATE has statement triggers.  NOTIFY is
-- transactional: listeners hear it after the commit, a transaction that
-- rolls back says nothing, and equal payloads of one transaction are
-- sent once (a like: a row in likes and a counter in posts, one
-- notification).  The one write left out is an API token's
-- last_used_at alone (noted once a minute while it is used; it changes
-- nobody's access).
--
-- Writes added later to these tables, by any code or by hand in psql,
-- notify with no change anywhere else.  A new table whose rows change
-- public pages or who may log in needs a trigger of its own (in a later
-- migration): CREATE TRIGGER ... EXECUTE FUNCTION kblog_notify('d').
CREATE FUNCTION kblog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('kblog', TG_ARGV[0]);
	RETURN NULL;
END
$$;

CREATE TRIGGER posts_notify AFTER INSERT OR UPDATE OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER posts_notify_truncate AFTER TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER comments_notify AFTER INSERT OR UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER comments_notify_truncate AFTER TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER likes_notify AFTER INSERT OR UPDATE OR DELETE ON likes
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER likes_notify_truncate AFTER TRUNCATE ON likes
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER images_notify AFTER INSERT OR UPDATE OR DELETE ON images
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER images_notify_truncate AFTER TRUNCATE ON images
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('d');
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('da');
CREATE TRIGGER users_notify_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('da');
CREATE TRIGGER sessions_notify AFTER INSERT OR UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('a');
CREATE TRIGGER sessions_notify_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('a');
CREATE TRIGGER api_tokens_notify AFTER INSERT OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION kblog_notify('a');
CREATE TRIGGER api_tokens_notify_update AFTER UPDATE ON api_tokens
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM
    (to_jsonb(NEW) - 'last_used_at'))
    EXECUTE FUNCTION kblog_notify('a');
CREATE TRIGGER api_tokens_notify_truncate AFTER TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION kblog_notify('a');
