//! The issuer's schema in PostgreSQL, step by step. A released step is never changed: a new
//! one is added. Records are kept as the same JSON text the sled store keeps, with the
//! columns they are found, counted or removed by.
use regie_ops::postgres::SchemaStep;

/// Where the applied steps are recorded (the verifier has its own table).
pub const HISTORY: &str = "issuer_schema_history";

pub const SCHEMA: &[SchemaStep] = &[
    SchemaStep {
        version: 1,
        description: "issuer",
        sql: "CREATE TABLE issuer_offers (
              id         text PRIMARY KEY,
              expires_at bigint NOT NULL,
              data       text NOT NULL
          );
          CREATE TABLE issuer_codes (
              code     text PRIMARY KEY,
              offer_id text NOT NULL
          );
          CREATE TABLE issuer_tokens (
              token      text PRIMARY KEY,
              expires_at bigint NOT NULL,
              data       text NOT NULL
          );
          CREATE TABLE issuer_refresh_tokens (
              token      text PRIMARY KEY,
              expires_at bigint NOT NULL,
              data       text NOT NULL
          );
          CREATE TABLE issuer_nonces (
              nonce      text PRIMARY KEY,
              expires_at bigint NOT NULL
          );
          CREATE TABLE issuer_credentials (
              id   text PRIMARY KEY,
              bsn  text NOT NULL,
              data text NOT NULL
          );
          CREATE INDEX issuer_credentials_bsn ON issuer_credentials (bsn);
          -- One row: the next dense status position to hand out.
          CREATE TABLE issuer_status_counter (
              only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
              next     bigint NOT NULL
          );
          INSERT INTO issuer_status_counter (next) VALUES (0);
          CREATE TABLE issuer_status_lists (
              list bigint PRIMARY KEY,
              bits bytea NOT NULL
          );
          CREATE TABLE issuer_ended_grants (
              grant_id text PRIMARY KEY
          );
          CREATE TABLE issuer_cases (
              case_ref    text PRIMARY KEY,
              subject_bsn text NOT NULL,
              token_key   text NOT NULL UNIQUE,
              created_at  bigint NOT NULL,
              data        text NOT NULL
          );
          CREATE INDEX issuer_cases_subject ON issuer_cases (subject_bsn);
          CREATE TABLE issuer_case_open_sessions (
              session_id text PRIMARY KEY,
              case_ref   text NOT NULL
          );
          CREATE TABLE issuer_logins (
              key        text PRIMARY KEY,
              expires_at bigint NOT NULL,
              data       text NOT NULL
          );
          CREATE TABLE issuer_clerk_logins (
              key        text PRIMARY KEY,
              expires_at bigint NOT NULL
          );
          CREATE TABLE issuer_corrections (
              id         text PRIMARY KEY,
              bsn        text NOT NULL,
              created_at bigint NOT NULL,
              data       text NOT NULL
          );
          CREATE TABLE issuer_life_events (
              id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              data text NOT NULL
          );",
    },
    SchemaStep {
        version: 2,
        description: "OpenID Connect login attempts",
        sql: "CREATE TABLE issuer_login_attempts (
                  key        text PRIMARY KEY,
                  expires_at bigint NOT NULL,
                  data       text NOT NULL
              );",
    },
];
