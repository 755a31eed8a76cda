//! The OpenAPI 3.1 document of the external task API, written by hand like the terminal's, with
//! the limits of the running configuration filled in.

use serde_json::{Value, json};

use super::{
    ExternalConfig, MAX_OUTPUTS, MAX_QUERY_CHARS, MAX_RESULTS, MAX_URL_CHARS, MIN_OUTPUTS,
};
use dojo_core::protocol::external::SIGNATURE_HEADER;

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref("Error") } }
    })
}

/// The document, for `config`'s limits.
pub fn openapi_document(config: &ExternalConfig) -> Value {
    let l = &config.limits;
    let signature = "`sha256=<hex>`: HMAC-SHA256 over the exact request body bytes, keyed with K = SHA-256(API key secret) \
         (the 32 raw digest bytes of the UTF-8 secret). Verify before trusting the body, comparing in constant time. \
         Python: `'sha256=' + hmac.new(hashlib.sha256(secret.encode()).digest(), body, hashlib.sha256).hexdigest()`.";
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Dojo validator external task API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Submit a prompt and {MIN_OUTPUTS} to {MAX_OUTPUTS} outputs; the validator sends them to the subnet's miners, \
                 whose human workers score every output. Poll the task, or give a webhook_url to be told when it is completed \
                 or failed. Authenticate with `Authorization: Bearer <API key>` (keys are issued by the validator's operator). \
                 Errors are JSON `{{\"error\": \"...\"}}`: 400 unparseable JSON, 401 missing, unknown or revoked key, \
                 404 not one of your tasks, 413 body over {} bytes, 422 a field is invalid (the message names it), \
                 429 over your key's rate (see Retry-After).",
                l.max_body_bytes
            ),
            "license": { "name": "Apache-2.0" }
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/v1/external/tasks": {
                "post": {
                    "operationId": "submitExternalTask",
                    "summary": "Queue a task for the miners' humans.",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": schema_ref("SubmitExternalTask") } }
                    },
                    "responses": {
                        "201": {
                            "description": "Queued; `output_ids` name the outputs in the order submitted.",
                            "headers": { "Location": { "schema": { "type": "string" }, "description": "The task's URL." } },
                            "content": { "application/json": { "schema": schema_ref("ExternalTaskStatus") } }
                        },
                        "400": error_response("The body is not JSON."),
                        "401": error_response("Missing, unknown or revoked API key."),
                        "413": error_response("The body is too large."),
                        "422": error_response("A field is invalid; the message says which and why."),
                        "429": error_response("Too many requests for this key; see Retry-After.")
                    }
                }
            },
            "/api/v1/external/tasks/{id}": {
                "get": {
                    "operationId": "getExternalTask",
                    "summary": "A task you submitted: its state, and the result once completed.",
                    "parameters": [{
                        "name": "id", "in": "path", "required": true,
                        "description": "Task id from the 201 answer.", "schema": { "type": "string" }
                    }],
                    "responses": {
                        "200": {
                            "description": "The task.",
                            "content": { "application/json": { "schema": schema_ref("ExternalTaskStatus") } }
                        },
                        "401": error_response("Missing, unknown or revoked API key."),
                        "404": error_response("No such task for this key."),
                        "429": error_response("Too many requests for this key; see Retry-After.")
                    }
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": { "200": { "description": "OpenAPI 3.1 document.", "content": { "application/json": {} } } }
                }
            }
        },
        "webhooks": {
            "externalTaskFinished": {
                "post": {
                    "operationId": "externalTaskFinished",
                    "summary": "Sent once to the task's webhook_url when it is completed or failed.",
                    "description": format!(
                        "The body is the task's ExternalTaskStatus. Answer any 2xx to acknowledge; otherwise (or on a \
                         network error) the delivery is retried up to {} attempts in all, waiting {} s and doubling. \
                         Redirects are not followed.",
                        config.webhook_attempts.max(1),
                        config.webhook_backoff.as_secs_f64()
                    ),
                    "parameters": [{
                        "name": SIGNATURE_HEADER, "in": "header", "required": true,
                        "description": signature,
                        "schema": { "type": "string", "pattern": "^sha256=[0-9a-f]{64}$" }
                    }],
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": schema_ref("ExternalTaskStatus") } }
                    },
                    "responses": { "2XX": { "description": "Received." } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API key issued by the validator's operator." }
            },
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": { "error": { "type": "string" } }
                },
                "Modality": { "type": "string", "enum": ["html", "text", "image", "model3d"] },
                "ExternalOutput": {
                    "type": "object", "required": ["modality", "content"],
                    "properties": {
                        "modality": schema_ref("Modality"),
                        "content": {
                            "type": "string", "maxLength": l.max_output_bytes,
                            "description": format!(
                                "html: the whole document; text: non-empty text; image: a base64 data: URI of a PNG, JPEG or WebP; model3d: a base64 data: URI of a GLB (bytes are sniffed). \
                                 At most {} bytes per output and {} bytes over all outputs.",
                                l.max_output_bytes, l.max_task_bytes
                            )
                        },
                        "annotations": {
                            "type": "array",
                            "description": "Image only: labelled boxes shown over the image, in thousandths of its width and height.",
                            "items": {
                                "type": "object", "required": ["label", "x", "y", "w", "h"],
                                "properties": {
                                    "label": { "type": "string", "maxLength": 64 },
                                    "x": { "type": "integer", "minimum": 0, "maximum": 1000 },
                                    "y": { "type": "integer", "minimum": 0, "maximum": 1000 },
                                    "w": { "type": "integer", "minimum": 1, "maximum": 1000 },
                                    "h": { "type": "integer", "minimum": 1, "maximum": 1000 }
                                }
                            }
                        }
                    }
                },
                "Criteria": {
                    "type": "object", "required": ["score_min", "score_max", "ranking", "rationale_query"],
                    "properties": {
                        "score_min": { "type": "integer", "minimum": 0, "description": "Lowest score; less than score_max." },
                        "score_max": { "type": "integer", "minimum": 1 },
                        "ranking": { "type": "boolean", "description": "Whether a full ranking is asked for." },
                        "rationale_query": { "type": "string", "maxLength": MAX_QUERY_CHARS }
                    }
                },
                "SubmitExternalTask": {
                    "type": "object", "required": ["prompt", "outputs"],
                    "properties": {
                        "prompt": { "type": "string", "minLength": 1, "maxLength": l.max_prompt_chars },
                        "outputs": { "type": "array", "minItems": MIN_OUTPUTS, "maxItems": MAX_OUTPUTS, "items": schema_ref("ExternalOutput") },
                        "criteria": { "oneOf": [schema_ref("Criteria"), { "type": "null" }], "description": "Default: scores 1 to 100 with a ranking." },
                        "max_results": { "type": ["integer", "null"], "minimum": 1, "maximum": MAX_RESULTS, "description": format!("Results per miner (default {}).", config.default_max_results) },
                        "deadline_secs": { "type": ["integer", "null"], "minimum": l.min_deadline_secs, "maximum": l.max_deadline_secs, "description": format!("Seconds the humans have once dispatched (default {}).", config.default_deadline_secs) },
                        "webhook_url": { "type": ["string", "null"], "maxLength": MAX_URL_CHARS, "format": "uri", "description": "https://, or http:// to a loopback address; receives the externalTaskFinished webhook." }
                    }
                },
                "ExternalState": { "type": "string", "enum": ["pending", "dispatched", "completed", "failed"] },
                "ExternalResult": {
                    "type": "object", "required": ["ranking", "mean_scores", "ratings", "rationales"],
                    "properties": {
                        "ranking": { "type": "array", "items": { "type": "string" }, "description": "Output ids by mean score, best first (ties keep the submitted order)." },
                        "mean_scores": { "type": "object", "additionalProperties": { "type": "number" }, "description": "Mean human score per output id." },
                        "ratings": { "type": "integer", "minimum": 0, "description": "Human results pooled over every miner." },
                        "rationales": { "type": "array", "items": { "type": "string" }, "description": "The humans' explanations, sanitised; rejected ones are left out." }
                    }
                },
                "ExternalTaskStatus": {
                    "type": "object", "required": ["id", "state", "output_ids"],
                    "properties": {
                        "id": { "type": "string" },
                        "state": schema_ref("ExternalState"),
                        "output_ids": { "type": "array", "items": { "type": "string" }, "description": "Output ids in the order submitted." },
                        "expire_at_ns": { "type": ["integer", "null"], "description": "Once dispatched: when the humans' time ends, ns since the Unix epoch." },
                        "result": { "oneOf": [schema_ref("ExternalResult"), { "type": "null" }] },
                        "error": { "type": ["string", "null"], "description": "Why the task failed." }
                    }
                }
            }
        }
    })
}
