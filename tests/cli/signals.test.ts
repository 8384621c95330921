/**
 * Signals held from start-up (src/cli/signals.ts), over a fake platform that
 * delivers signals on demand and records exits: a signal delivered before any
 * command listens is replayed when one does; once the command calls
 * `releaseRest()`, a held or later signal nobody takes exits with 128 + its
 * number, and a taken one does not.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { EXIT_CODES, holdSignals } from "../../src/cli/signals.ts";
import type { SignalName } from "../../src/platform/mod.ts";

/** A platform whose signals the test delivers (`send`) and whose exits it records. */
function fakePlatform() {
  const handlers = new Map<SignalName, (() => void)[]>();
  const exits: number[] = [];
  return {
    exits,
    platform: {
      onSignal(name: SignalName, listener: () => void) {
        handlers.set(name, [...(handlers.get(name) ?? []), listener]);
        return () => handlers.set(name, (handlers.get(name) ?? []).filter((l) => l !== listener));
      },
      exit(code: number): never {
        exits.push(code);
        // A real exit never returns; the fake records it and lets the test go on.
        return undefined as never;
      },
    },
    /** Delivers `name` as the OS would. */
    send(name: SignalName) {
      for (const listener of handlers.get(name) ?? []) listener();
    },
    /** How many handlers are installed for `name`. */
    installed: (name: SignalName) => handlers.get(name)?.length ?? 0,
  };
}

test("holdSignals installs a handler for SIGTERM, SIGINT and SIGHUP at once", () => {
  const fake = fakePlatform();
  holdSignals(fake.platform);
  for (const name of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    assert.equal(fake.installed(name), 1);
  }
});

test("a signal delivered before any command listens is replayed, once each, when one does", () => {
  const fake = fakePlatform();
  const signals = holdSignals(fake.platform);
  fake.send("SIGTERM");
  fake.send("SIGHUP");
  fake.send("SIGHUP");
  assert.deepEqual(fake.exits, [], "held, not acted on");
  let terms = 0;
  let hups = 0;
  signals.onSignal("SIGTERM", () => terms++);
  assert.equal(terms, 1);
  signals.onSignal("SIGHUP", () => hups++);
  assert.equal(hups, 2);
  // Replayed once: a second listener does not see them again.
  let again = 0;
  signals.onSignal("SIGTERM", () => again++);
  assert.equal(again, 0);
  fake.send("SIGTERM");
  assert.deepEqual([terms, again], [2, 1], "later deliveries reach every listener");
  assert.deepEqual(fake.exits, []);
});

test("after releaseRest, a held signal nobody takes exits with 128 + its number", () => {
  for (const [name, code] of [["SIGHUP", 129], ["SIGINT", 130], ["SIGTERM", 143]] as const) {
    assert.equal(EXIT_CODES[name], code);
    const fake = fakePlatform();
    const signals = holdSignals(fake.platform);
    fake.send(name);
    assert.deepEqual(fake.exits, [], `${name} is held until the command says`);
    signals.releaseRest();
    assert.deepEqual(fake.exits, [code], name);
  }
});

test("after releaseRest, a new signal nobody takes exits with 128 + its number", () => {
  for (const [name, code] of [["SIGHUP", 129], ["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const fake = fakePlatform();
    const signals = holdSignals(fake.platform);
    signals.releaseRest();
    assert.deepEqual(fake.exits, [], "nothing held, nothing to exit for");
    fake.send(name);
    assert.deepEqual(fake.exits, [code], name);
  }
});

test("a signal a command takes does not exit, before or after releaseRest", () => {
  const fake = fakePlatform();
  const signals = holdSignals(fake.platform);
  fake.send("SIGTERM"); // held, then taken
  let terms = 0;
  signals.onSignal("SIGTERM", () => terms++);
  signals.releaseRest();
  fake.send("SIGTERM");
  assert.equal(terms, 2);
  assert.deepEqual(fake.exits, []);
  // The rest still exit: SIGINT is not taken.
  fake.send("SIGINT");
  assert.deepEqual(fake.exits, [130]);
});

test("a signal whose listener was removed exits again after releaseRest", () => {
  const fake = fakePlatform();
  const signals = holdSignals(fake.platform);
  const stop = signals.onSignal("SIGHUP", () => {});
  signals.releaseRest();
  fake.send("SIGHUP");
  assert.deepEqual(fake.exits, []);
  stop();
  fake.send("SIGHUP");
  assert.deepEqual(fake.exits, [129]);
});

test("the runtime handlers installed first are never removed, whatever listeners commands add, replace and remove", () => {
  const fake = fakePlatform();
  const signals = holdSignals(fake.platform);
  const names = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
  const installed = () => names.map((name) => fake.installed(name));
  assert.deepEqual(installed(), [1, 1, 1]);
  // serve's pattern: a reload listener, replaced by a new one added before the old goes.
  const calls: string[] = [];
  const stopOld = signals.onSignal("SIGHUP", () => calls.push("old"));
  const stopNew = signals.onSignal("SIGHUP", () => calls.push("new"));
  stopOld();
  assert.deepEqual(installed(), [1, 1, 1]);
  fake.send("SIGHUP");
  assert.deepEqual(calls, ["new"]);
  // Every command listener gone: the runtime's handler still holds the signal.
  stopNew();
  for (const name of names) signals.onSignal(name, () => {})();
  assert.deepEqual(installed(), [1, 1, 1]);
  fake.send("SIGHUP");
  assert.deepEqual(fake.exits, [], "held, not the default action");
  signals.releaseRest();
  assert.deepEqual(
    fake.exits,
    [129],
    "after releaseRest the held SIGHUP exits as its default would",
  );
  assert.deepEqual(installed(), [1, 1, 1]);
});

test("a listener that throws does not keep the next one from running, nor escape the signal handler", () => {
  const fake = fakePlatform();
  const signals = holdSignals(fake.platform);
  const calls: string[] = [];
  signals.onSignal("SIGHUP", () => {
    throw new Error("reload failed to start");
  });
  signals.onSignal("SIGHUP", () => calls.push("second"));
  // The fake delivers as the runtime would: a throw here would end the process.
  assert.doesNotThrow(() => fake.send("SIGHUP"));
  assert.deepEqual(calls, ["second"]);
});
