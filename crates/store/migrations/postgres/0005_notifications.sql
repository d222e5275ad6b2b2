-- Replicas keep some rows in memory (configurations, API tokens, access tokens). Every
-- committed change to one of them is announced on the channel `imsbridge_changes`, so that
-- every replica drops what it holds at once; notifications are delivered on commit only.
--
-- Payloads: `config:<id>:<revision>` (revision 0: deleted), `api_tokens`, and
-- `token:<config id>:<revision>` when a shared access token is stored.

CREATE FUNCTION imsbridge_notify_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('imsbridge_changes', 'config:' || OLD.id::text || ':0');
        RETURN OLD;
    END IF;
    PERFORM pg_notify('imsbridge_changes', 'config:' || NEW.id::text || ':' || NEW.revision::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER configs_notify AFTER INSERT OR UPDATE OR DELETE ON configs
    FOR EACH ROW EXECUTE FUNCTION imsbridge_notify_config();

CREATE FUNCTION imsbridge_notify_api_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('imsbridge_changes', 'api_tokens');
    RETURN NULL;
END
$$;

-- Not on `last_used_at`: it changes on use, and changes nothing a replica decides on.
CREATE TRIGGER api_tokens_notify
    AFTER INSERT OR DELETE OR UPDATE OF name, token_hash, scope, expires_at, revoked_at
    ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION imsbridge_notify_api_tokens();

CREATE FUNCTION imsbridge_notify_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('imsbridge_changes', 'token:' || NEW.config_id::text || ':' || NEW.revision::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER token_cache_notify AFTER INSERT OR UPDATE ON token_cache
    FOR EACH ROW EXECUTE FUNCTION imsbridge_notify_token();
