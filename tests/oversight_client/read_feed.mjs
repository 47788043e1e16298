// An oversight body's client, written with nats.js from npm (not this project's code), as an
// outside developer would write it from docs/oversight-feed.md and the published schemas.
//
// It reads its province's feed through its durable consumer, validates every message against
// the JSON Schema of its kind, then tries what it must not be able to do (another province's
// feed, the internal event store, Direct Get, publishing) and reports each refusal.
// Prints one JSON object on stdout.
//
// Environment: NATS_URL, NATS_USER, NATS_PASS, PROVINCE, OTHER_PROVINCE, SCHEMAS_DIR.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { connect } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`missing ${name}`);
  return value;
};

const province = env("PROVINCE");
const other = env("OTHER_PROVINCE");
const stream = "OVERSIGHT";
const consumer = `oversight-${province}`;

// The published schemas, one per kind: <kind>.v<N>.json
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validators = {};
for (const file of readdirSync(env("SCHEMAS_DIR"))) {
  if (!file.endsWith(".json")) continue;
  const schema = JSON.parse(readFileSync(join(env("SCHEMAS_DIR"), file), "utf8"));
  validators[file.split(".")[0]] = ajv.compile(schema);
}

const nc = await connect({
  servers: env("NATS_URL"),
  user: env("NATS_USER"),
  pass: env("NATS_PASS"),
  inboxPrefix: `_INBOX_OVERSIGHT_${province}`,
  maxReconnectAttempts: 0,
});
const errors = [];
(async () => {
  for await (const s of nc.status()) {
    if (s.type === "error") errors.push(String(s.error ?? s.data ?? s.type));
  }
})();

// No $JS.API.INFO for this user: skip the API check.
const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 3000 });
const js = jetstream(nc, { checkAPI: false, timeout: 3000 });

const report = {
  province,
  consumer,
  messages: 0,
  by_kind: {},
  by_transition: {},
  invalid: [],
  foreign: [],
  headers_mismatch: [],
  feed_ids: [],
  answer_texts: [],
  refusals: {},
  errors,
};

// 1. Read the province's feed through its durable consumer, filtered to the province.
await jsm.consumers.add(stream, {
  durable_name: consumer,
  filter_subject: `oversight.v1.${province}.>`,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
});
const feed = await js.consumers.get(stream, consumer);
for (;;) {
  const batch = await feed.fetch({ max_messages: 100, expires: 1500 });
  let got = 0;
  for await (const m of batch) {
    got += 1;
    report.messages += 1;
    const [, , subjectProvince, kind] = m.subject.split(".");
    let body;
    try {
      body = m.json();
    } catch (e) {
      report.invalid.push({ subject: m.subject, errors: [`not JSON: ${e}`] });
      m.ack();
      continue;
    }
    const validate = validators[kind];
    if (!validate) {
      report.invalid.push({ subject: m.subject, errors: [`no schema for kind ${kind}`] });
    } else if (!validate(body)) {
      report.invalid.push({ subject: m.subject, errors: validate.errors.map((e) => `${e.instancePath} ${e.message}`) });
    }
    if (subjectProvince !== province || body.province_code !== province) {
      report.foreign.push(m.subject);
    }
    if (m.headers?.get("Nats-Msg-Id") !== body.feed_id) {
      report.headers_mismatch.push(m.subject);
    }
    report.by_kind[kind] = (report.by_kind[kind] ?? 0) + 1;
    const key = `${kind}.${body.transition}`;
    report.by_transition[key] = (report.by_transition[key] ?? 0) + 1;
    report.feed_ids.push(body.feed_id);
    if (body.answer_text !== undefined) report.answer_texts.push(body.answer_text);
    m.ack();
  }
  if (got === 0) break;
}

// 2. What it must not be able to do. Each attempt either fails (refused) or succeeds.
async function attempt(name, fn) {
  try {
    const result = await fn();
    report.refusals[name] = { refused: false, result: String(result) };
  } catch (e) {
    report.refusals[name] = { refused: true, error: `${e?.name ?? "Error"}: ${e?.message ?? e}` };
  }
}

await attempt("consumer_on_other_province", () =>
  jsm.consumers.add(stream, {
    durable_name: `oversight-${other}`,
    filter_subject: `oversight.v1.${other}.>`,
    ack_policy: AckPolicy.Explicit,
  }),
);
await attempt("own_consumer_filtered_to_other_province", () =>
  jsm.consumers.add(stream, {
    durable_name: consumer,
    filter_subject: `oversight.v1.${other}.>`,
    ack_policy: AckPolicy.Explicit,
  }),
);
await attempt("own_consumer_with_several_filters", () =>
  jsm.consumers.add(stream, {
    durable_name: consumer,
    filter_subjects: [`oversight.v1.${province}.>`, `oversight.v1.${other}.>`],
    ack_policy: AckPolicy.Explicit,
  }),
);
await attempt("ephemeral_consumer_on_the_feed", () =>
  jsm.consumers.add(stream, { filter_subject: `oversight.v1.${other}.>`, ack_policy: AckPolicy.None }),
);
await attempt("read_other_province_consumer", async () => {
  const c = await js.consumers.get(stream, `oversight-${other}`);
  const m = await c.next({ expires: 1000 });
  return m ? m.subject : "no message";
});
await attempt("consumer_on_internal_stream", () =>
  jsm.consumers.add("PETITIONS", {
    durable_name: consumer,
    filter_subject: "petitions.events.>",
    ack_policy: AckPolicy.Explicit,
  }),
);
await attempt("read_internal_stream_consumer", async () => {
  const c = await js.consumers.get("PETITIONS", "reporting-petitions");
  const m = await c.next({ expires: 1000 });
  return m ? m.subject : "no message";
});
await attempt("direct_get_other_province", async () => {
  const m = await jsm.direct.getMessage(stream, { last_by_subj: `oversight.v1.${other}.petition` });
  return m ? m.subject : "no message";
});
await attempt("stream_message_get_other_province", async () => {
  const m = await jsm.streams.getMessage(stream, { last_by_subj: `oversight.v1.${other}.petition` });
  return m ? m.subject : "no message";
});
async function subscribeOnce(subject) {
  const sub = nc.subscribe(subject, { max: 1, timeout: 1500 });
  for await (const m of sub) return `received ${m.subject}`;
  return "no message";
}
await attempt("subscribe_other_province", () => subscribeOnce(`oversight.v1.${other}.>`));
await attempt("subscribe_internal_events", () => subscribeOnce("petitions.events.>"));
await attempt("subscribe_others_inboxes", () => subscribeOnce("_INBOX.>"));
await attempt("publish_to_own_feed", () =>
  js.publish(`oversight.v1.${province}.petition`, JSON.stringify({ forged: true }), { timeout: 1500 }),
);

await nc.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
