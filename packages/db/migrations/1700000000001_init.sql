-- Up Migration
CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source text NOT NULL,
  source_visit_id text NOT NULL,
  source_event_id text,
  unit_id text NOT NULL,
  service text NOT NULL,
  service_class text,
  ended_at timestamptz NOT NULL,
  visit_day date NOT NULL,
  language text NOT NULL,
  age_band text,
  patient_pseudonym text,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, source_visit_id)
);
CREATE INDEX visits_pseudonym_idx ON visits (patient_pseudonym, ended_at);

CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  visit_id uuid NOT NULL UNIQUE REFERENCES visits (id),
  status text NOT NULL CHECK (status IN ('scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed',
    'unknown', 'answered', 'completed', 'expired', 'cancelled', 'skipped')),
  skip_reason text,
  delivery_status text,
  phone_enc bytea,
  phone_hash text,
  language text NOT NULL,
  step text NOT NULL DEFAULT 'awaiting-score',
  reasked boolean NOT NULL DEFAULT false,
  closed_notice_sent boolean NOT NULL DEFAULT false,
  send_at timestamptz,
  sent_at timestamptz,
  expires_at timestamptz,
  attempt integer NOT NULL DEFAULT 0,
  message_sid text,
  error_code integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'skipped' OR skip_reason IS NOT NULL)
);
CREATE INDEX invitations_phone_hash_idx ON invitations (phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX invitations_status_idx ON invitations (status, send_at);

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  invitation_id uuid NOT NULL REFERENCES invitations (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE responses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  invitation_id uuid NOT NULL UNIQUE REFERENCES invitations (id),
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 10),
  comment text,
  language text NOT NULL,
  answered_at timestamptz NOT NULL DEFAULT now(),
  unit_id text NOT NULL,
  service text NOT NULL,
  visit_day date NOT NULL,
  visit_month text NOT NULL,
  age_band text,
  source text NOT NULL
);
CREATE INDEX responses_visit_day_idx ON responses (visit_day);

CREATE TABLE opt_outs (
  phone_hash text PRIMARY KEY,
  opted_out_at timestamptz NOT NULL DEFAULT now(),
  method text NOT NULL
);

CREATE TABLE language_preferences (
  phone_hash text PRIMARY KEY,
  language text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inbound_messages (
  message_sid text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  invitation_id uuid REFERENCES invitations (id)
);

CREATE TABLE nps_daily (
  day date NOT NULL,
  unit_id text NOT NULL,
  service text NOT NULL,
  language text NOT NULL,
  age_band text NOT NULL,
  source text NOT NULL,
  sent integer NOT NULL DEFAULT 0,
  delivered integer NOT NULL DEFAULT 0,
  promoters integer NOT NULL DEFAULT 0,
  passives integer NOT NULL DEFAULT 0,
  detractors integer NOT NULL DEFAULT 0,
  comments integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, unit_id, service, language, age_band, source)
);

-- Down Migration
DROP TABLE nps_daily, inbound_messages, language_preferences, opt_outs, responses, outbox, invitations, visits;
