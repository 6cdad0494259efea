-- The counter floor's central store, first version. docs/central.md describes every table.
--
-- Invariants: no name, address, birth date or My Number is ever stored in clear: a case's
-- personal fields arrive sealed by the terminal (the same sealing as the local store) and
-- the database only keeps the bytes. Rows are keyed by UUIDs the terminals make, so a push
-- repeated after a crash finds its row and adds nothing.

-- Roles. Terminals and people log in as their own roles, members of these; none of them can
-- log in itself. `madoguchi_backoffice` marks the terminals whose exports may carry personal
-- fields (docs/export.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_terminal') THEN
    CREATE ROLE madoguchi_terminal NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_supervisor') THEN
    CREATE ROLE madoguchi_supervisor NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_admin') THEN
    CREATE ROLE madoguchi_admin NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'madoguchi_backoffice') THEN
    CREATE ROLE madoguchi_backoffice NOLOGIN;
  END IF;
END
$$;

-- Every terminal: its login role, its place, and the counters it serves (empty for an
-- interview desk, which sees the cases it made).
CREATE TABLE terminals (
  login      text PRIMARY KEY,
  place      text NOT NULL DEFAULT '',
  counters   text[] NOT NULL DEFAULT '{}',
  added_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Published catalogue versions: immutable once written (no role may update or delete them).
-- `signature` is the city's publishing key's ed25519 signature over the version's canonical
-- bytes; terminals check it before loading, wherever the version came from.
CREATE TABLE catalogue_versions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL,
  version      text NOT NULL,
  checksum     text NOT NULL UNIQUE,
  files        jsonb NOT NULL,
  signature    bytea NOT NULL,
  key_id       text NOT NULL,
  published_by text NOT NULL DEFAULT session_user,
  published_at timestamptz NOT NULL DEFAULT now()
);

-- Cases: plain statistics columns, the personal fields sealed under the floor's key (NULL
-- once retention removed them, or when they were already purged on the terminal).
CREATE TABLE cases (
  id            uuid PRIMARY KEY,
  terminal      text NOT NULL REFERENCES terminals (login),
  reception     text NOT NULL DEFAULT '',
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL,
  event         text NOT NULL,
  members       smallint NOT NULL,
  procedures    text[] NOT NULL DEFAULT '{}',
  forms_printed integer NOT NULL DEFAULT 0,
  sealed        bytea,
  received_at   timestamptz NOT NULL DEFAULT now(),
  purged_at     timestamptz
);
CREATE INDEX cases_finished ON cases (finished_at);
CREATE INDEX cases_terminal ON cases (terminal, finished_at);
CREATE INDEX cases_sealed_finished ON cases (finished_at) WHERE sealed IS NOT NULL;

-- Which counters a case is routed to, the procedures each handles, and how each counter's
-- work on it went.
-- `terminal` repeats the case's terminal so that row-level security can decide on the row
-- itself, without a look-up per row; `printed` says the counter printed its forms.
CREATE TABLE routes (
  case_id    uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  counter    text NOT NULL,
  terminal   text NOT NULL DEFAULT session_user,
  procedures text[] NOT NULL DEFAULT '{}',
  state      text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'open', 'done', 'not_needed')),
  reason     text NOT NULL DEFAULT '',
  printed    boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, counter)
);
CREATE INDEX routes_counter ON routes (counter, case_id);
CREATE INDEX routes_terminal ON routes (terminal, case_id);

-- Hand-over events (opened, printed, done, not_needed), keyed by the terminal's UUID.
CREATE TABLE handovers (
  id       uuid PRIMARY KEY,
  case_id  uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  counter  text NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('opened', 'printed', 'done', 'not_needed')),
  detail   text NOT NULL DEFAULT '',
  terminal text NOT NULL DEFAULT session_user,
  at       timestamptz NOT NULL
);
CREATE INDEX handovers_case ON handovers (case_id);

-- A department's list changes: terminals listening on `madoguchi_routes` hear the counter's
-- id (never anything personal) and read their list again.
CREATE FUNCTION notify_route() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('madoguchi_routes', NEW.counter);
  RETURN NEW;
END
$$;
CREATE TRIGGER routes_changed AFTER INSERT OR UPDATE ON routes
  FOR EACH ROW EXECUTE FUNCTION notify_route();

-- The supervisor's floor statistics, kept up to date as cases and routes arrive (triggers),
-- so that the main view reads a few thousand rows whatever the number of cases. Days and hours
-- are Japan's (UTC+9, no summer time); the terminal is part of each key so that terminals
-- pushing at once never wait on one another's counter row.
CREATE TABLE case_counts (
  day      date NOT NULL,
  hour     smallint NOT NULL,
  terminal text NOT NULL,
  event    text NOT NULL,
  cases    bigint NOT NULL DEFAULT 0,
  members  bigint NOT NULL DEFAULT 0,
  seconds  bigint NOT NULL DEFAULT 0,
  forms    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, hour, terminal, event)
);
CREATE TABLE route_counts (
  day      date NOT NULL,
  counter  text NOT NULL,
  terminal text NOT NULL,
  cases    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, counter, terminal)
);

CREATE FUNCTION japan_time(t timestamptz) RETURNS timestamp
  LANGUAGE sql IMMUTABLE AS $$ SELECT (t AT TIME ZONE 'UTC') + interval '9 hours' $$;

CREATE FUNCTION count_case() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO case_counts AS c (day, hour, terminal, event, cases, members, seconds, forms)
  VALUES (japan_time(NEW.finished_at)::date, extract(hour FROM japan_time(NEW.finished_at)),
          NEW.terminal, NEW.event, 1, NEW.members,
          greatest(0, extract(epoch FROM NEW.finished_at - NEW.started_at))::bigint,
          NEW.forms_printed)
  ON CONFLICT (day, hour, terminal, event) DO UPDATE
    SET cases = c.cases + 1, members = c.members + EXCLUDED.members,
        seconds = c.seconds + EXCLUDED.seconds, forms = c.forms + EXCLUDED.forms;
  RETURN NULL;
END
$$;
CREATE TRIGGER cases_counted AFTER INSERT ON cases
  FOR EACH ROW EXECUTE FUNCTION count_case();

CREATE FUNCTION count_route() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO route_counts AS r (day, counter, terminal, cases)
  SELECT japan_time(c.finished_at)::date, NEW.counter, c.terminal, 1
  FROM cases c WHERE c.id = NEW.case_id
  ON CONFLICT (day, counter, terminal) DO UPDATE SET cases = r.cases + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER routes_counted AFTER INSERT ON routes
  FOR EACH ROW EXECUTE FUNCTION count_route();

-- Rebuilds both from the rows (after a bulk load or a restore); an administrator's work.
CREATE FUNCTION rebuild_floor_statistics() RETURNS void
  LANGUAGE sql AS $$
  DELETE FROM case_counts;
  DELETE FROM route_counts;
  INSERT INTO case_counts (day, hour, terminal, event, cases, members, seconds, forms)
    SELECT japan_time(finished_at)::date, extract(hour FROM japan_time(finished_at)), terminal,
           event, count(*), sum(members),
           sum(greatest(0, extract(epoch FROM finished_at - started_at)))::bigint,
           sum(forms_printed)
    FROM cases GROUP BY 1, 2, 3, 4;
  INSERT INTO route_counts (day, counter, terminal, cases)
    SELECT japan_time(c.finished_at)::date, r.counter, c.terminal, count(*)
    FROM routes r JOIN cases c ON c.id = r.case_id GROUP BY 1, 2, 3;
$$;
REVOKE EXECUTE ON FUNCTION rebuild_floor_statistics() FROM PUBLIC;

CREATE TABLE audit (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL DEFAULT current_user,
  action text NOT NULL,
  detail text NOT NULL DEFAULT ''
);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- What each role may do. A terminal reads the catalogue and settings, writes its own cases
-- and events, and reads only the cases it made or that are routed to its counters.
GRANT USAGE ON SCHEMA public TO madoguchi_terminal, madoguchi_supervisor, madoguchi_admin;
GRANT SELECT ON catalogue_versions, settings, terminals TO madoguchi_terminal;
GRANT SELECT, INSERT ON cases, routes, handovers TO madoguchi_terminal;
GRANT UPDATE (state, reason, printed, updated_at) ON routes TO madoguchi_terminal;
GRANT INSERT ON audit TO madoguchi_terminal;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO madoguchi_supervisor;
GRANT INSERT ON catalogue_versions, audit TO madoguchi_supervisor;
GRANT ALL ON ALL TABLES IN SCHEMA public TO madoguchi_admin;
GRANT EXECUTE ON FUNCTION rebuild_floor_statistics() TO madoguchi_admin;
-- The statistics hold no case and nothing personal, but they are the supervisor's.
REVOKE ALL ON case_counts, route_counts FROM madoguchi_terminal;

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE routes ENABLE ROW LEVEL SECURITY;
ALTER TABLE handovers ENABLE ROW LEVEL SECURITY;

-- The counters the logged-in terminal serves.
CREATE FUNCTION my_counters() RETURNS text[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT coalesce((SELECT counters FROM terminals
                         WHERE login = session_user AND revoked_at IS NULL), '{}') $$;

-- Whether the case is routed to one of the logged-in terminal's counters. SECURITY DEFINER
-- so that the check itself is not filtered by the policies.
CREATE FUNCTION routed_to_me(c uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT EXISTS (SELECT 1 FROM routes WHERE case_id = c AND counter = ANY (my_counters())) $$;

-- Whether the logged-in terminal made the case. SECURITY DEFINER: the cases policy reads
-- routes, so a routes policy reading cases through its policy would be a loop.
CREATE FUNCTION case_made_by_me(c uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT EXISTS (SELECT 1 FROM cases WHERE id = c AND terminal = session_user) $$;

-- Whether the logged-in terminal may see the case: it made it, or it is routed to one of its
-- counters.
CREATE FUNCTION may_see_case(c uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT EXISTS (SELECT 1 FROM cases WHERE id = c AND terminal = session_user)
            OR routed_to_me(c) $$;

-- Policies decide on the row's own columns and on `(SELECT my_counters())::text[]`, which the planner
-- runs once per query, not once per row: a department's list stays fast with many cases.
-- The row's own terminal column, not a look-up: INSERT … ON CONFLICT checks the new row
-- against this too, before it exists.
CREATE POLICY terminal_cases ON cases TO madoguchi_terminal
  USING (terminal = session_user
         OR id IN (SELECT case_id FROM routes WHERE counter = ANY ((SELECT my_counters())::text[])))
  WITH CHECK (terminal = session_user);
CREATE POLICY terminal_routes_read ON routes FOR SELECT TO madoguchi_terminal
  USING (terminal = session_user OR counter = ANY ((SELECT my_counters())::text[]));
-- Only the terminal that made a case routes it …
CREATE POLICY terminal_routes_add ON routes FOR INSERT TO madoguchi_terminal
  WITH CHECK (terminal = session_user AND case_made_by_me(case_id));
-- … and a counter's work is marked only by a terminal serving that counter.
CREATE POLICY terminal_routes_mark ON routes FOR UPDATE TO madoguchi_terminal
  USING (counter = ANY ((SELECT my_counters())::text[]))
  WITH CHECK (counter = ANY ((SELECT my_counters())::text[]));
CREATE POLICY terminal_handovers_read ON handovers FOR SELECT TO madoguchi_terminal
  USING (may_see_case(case_id));
CREATE POLICY terminal_handovers_add ON handovers FOR INSERT TO madoguchi_terminal
  WITH CHECK (terminal = session_user AND counter = ANY ((SELECT my_counters())::text[]) AND may_see_case(case_id));

-- The back-office hand-over (docs/export.md). Which routed cases each exporting terminal has
-- written out, so that a scheduled export gives each case once whenever it reached the floor
-- (a case pushed late by a terminal that was offline is not skipped).
CREATE TABLE exported (
  case_id     uuid NOT NULL REFERENCES cases (id),
  counter     text NOT NULL,
  login       text NOT NULL,
  exported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (login, counter, case_id)
);

-- The cases routed to counter `c` (one of the logged-in terminal's) for an export, oldest
-- first, at most `max_rows`: with `since` NULL those this terminal has not exported yet, else
-- those finished since `since` (again). The sealed fields come only when `personal` is asked
-- and the terminal is a member of `madoguchi_backoffice`; anything else is refused. Every
-- export is audited under the terminal's login.
CREATE FUNCTION counter_export(c text, since timestamptz, personal boolean, max_rows integer)
  RETURNS TABLE (case_id uuid, reception text, finished_at timestamptz, terminal text,
                 event text, members smallint, state text, procedures text[], sealed bytea)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT (c = ANY (my_counters())) THEN
    RAISE EXCEPTION 'this terminal does not serve counter %', c USING ERRCODE = '42501';
  END IF;
  IF personal AND NOT pg_has_role(session_user, 'madoguchi_backoffice', 'MEMBER') THEN
    RAISE EXCEPTION 'this terminal may not export personal fields' USING ERRCODE = '42501';
  END IF;
  INSERT INTO audit (actor, action, detail)
  VALUES (session_user, CASE WHEN personal THEN 'export.personal' ELSE 'export' END,
          format('counter %s%s', c, coalesce(', finished since ' || since, ', not yet exported')));
  RETURN QUERY
    SELECT r.case_id, k.reception, k.finished_at, k.terminal, k.event, k.members, r.state,
           r.procedures, CASE WHEN personal THEN k.sealed END
    FROM routes r JOIN cases k ON k.id = r.case_id
    WHERE r.counter = c
      AND CASE WHEN since IS NULL
               THEN NOT EXISTS (SELECT 1 FROM exported e WHERE e.login = session_user
                                AND e.counter = c AND e.case_id = r.case_id)
               ELSE k.finished_at >= since END
    ORDER BY k.finished_at, r.case_id
    LIMIT greatest(1, least(max_rows, 10000));
END
$$;

-- Records that the logged-in terminal wrote these cases of counter `c` out (after the files
-- are safely written: a crash in between gives the same cases again, never none).
CREATE FUNCTION counter_exported(c text, ids uuid[])
  RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  added integer;
BEGIN
  IF NOT (c = ANY (my_counters())) THEN
    RAISE EXCEPTION 'this terminal does not serve counter %', c USING ERRCODE = '42501';
  END IF;
  INSERT INTO exported (case_id, counter, login)
    SELECT id, c, session_user FROM unnest(ids) AS id
    WHERE EXISTS (SELECT 1 FROM routes r WHERE r.case_id = id AND r.counter = c)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS added = ROW_COUNT;
  RETURN added;
END
$$;
REVOKE EXECUTE ON FUNCTION counter_export(text, timestamptz, boolean, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION counter_exported(text, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION counter_export(text, timestamptz, boolean, integer) TO madoguchi_terminal;
GRANT EXECUTE ON FUNCTION counter_exported(text, uuid[]) TO madoguchi_terminal;
GRANT SELECT ON exported TO madoguchi_supervisor;
GRANT ALL ON exported TO madoguchi_admin;

-- Published catalogue versions and the audit are never changed, by anyone but the owner.
CREATE FUNCTION refuse_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never changed or deleted', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER catalogue_versions_immutable BEFORE UPDATE OR DELETE ON catalogue_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE POLICY supervisor_cases ON cases TO madoguchi_supervisor USING (true);
CREATE POLICY supervisor_routes ON routes TO madoguchi_supervisor USING (true);
CREATE POLICY supervisor_handovers ON handovers TO madoguchi_supervisor USING (true);
CREATE POLICY admin_cases ON cases TO madoguchi_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_routes ON routes TO madoguchi_admin USING (true) WITH CHECK (true);
CREATE POLICY admin_handovers ON handovers TO madoguchi_admin USING (true) WITH CHECK (true);
