-- One database per service, all owned by the langnghe role (POSTGRES_USER in docker-compose).
-- Runs once, when the data volume is empty (docker-entrypoint-initdb.d).
-- Each service creates its own tables with Alembic at start (LN_<SVC>_RUN_MIGRATIONS).
CREATE DATABASE intake OWNER langnghe;
CREATE DATABASE tracking OWNER langnghe;
CREATE DATABASE notify OWNER langnghe;
CREATE DATABASE reporting OWNER langnghe;
