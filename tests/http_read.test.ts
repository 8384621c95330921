// Fetch failure reasons (describeFetchError in src/fetch_error.ts): a
// runtime message that quotes the URL has its credentials scrubbed.

import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFetchError } from "../src/fetch_error.ts";

test("a fetch error that quotes the URL has its credentials scrubbed", () => {
  const error = new TypeError("fetch failed", {
    cause: new Error("weird failure for url (http://admin:s3cret@10.0.0.5/ready)"),
  });
  assert.equal(describeFetchError(error), "weird failure for url (http://***@10.0.0.5/ready)");
});
