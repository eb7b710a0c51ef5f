import { describe, expect, it } from "vitest";
import { parseClientFrame } from "../../../src/adapters/ws/client-frames.js";

describe("a client's WebSocket text frame", () => {
  it("is a submit with its ref when it is the JSON submit form", () => {
    expect(parseClientFrame('{"type":"submit","text":"hi","ref":"a1"}')).toEqual({
      kind: "submit",
      text: "hi",
      userId: undefined,
      ref: "a1",
    });
    expect(parseClientFrame('{"type":"submit","userId":"ann","text":"hi"}')).toMatchObject({ userId: "ann" });
    expect(parseClientFrame(' {"type":"submit","text":"{json}","ref":3}')).toEqual({
      kind: "submit",
      text: "{json}",
      userId: undefined,
      ref: 3,
    });
  });

  it("is the message text itself when it is not a JSON object, less one trailing line break", () => {
    expect(parseClientFrame("hello there\n")).toEqual({
      kind: "submit",
      text: "hello there",
      userId: undefined,
      ref: undefined,
    });
    expect(parseClientFrame("two\nlines\r\n")).toEqual({
      kind: "submit",
      text: "two\nlines",
      userId: undefined,
      ref: undefined,
    });
    expect(parseClientFrame('"quoted"')).toEqual({
      kind: "submit",
      text: '"quoted"',
      userId: undefined,
      ref: undefined,
    });
    expect(parseClientFrame("[1, 2]")).toEqual({
      kind: "submit",
      text: "[1, 2]",
      userId: undefined,
      ref: undefined,
    });
  });

  it("leaves text validation to the rooms module: a JSON submit passes its text through as is", () => {
    expect(parseClientFrame('{"type":"submit","text":42}')).toEqual({
      kind: "submit",
      text: 42,
      userId: undefined,
      ref: undefined,
    });
  });

  it("is malformed_json when it starts like an object but does not parse", () => {
    expect(parseClientFrame('{"type":"submit",')).toMatchObject({ kind: "invalid", code: "malformed_json" });
  });

  it("is invalid_frame for another type or a bad ref, echoing a usable ref", () => {
    expect(parseClientFrame('{"type":"subscribe","ref":"x"}')).toMatchObject({
      kind: "invalid",
      code: "invalid_frame",
      message: 'Expected `type` to be "submit", got "subscribe"',
      ref: "x",
    });
    expect(parseClientFrame('{"text":"hi"}')).toMatchObject({
      code: "invalid_frame",
      ref: undefined,
    });
    expect(parseClientFrame(`{"type":"submit","text":"hi","ref":"${"r".repeat(129)}"}`)).toMatchObject({
      code: "invalid_frame",
      ref: undefined,
    });
    expect(parseClientFrame('{"type":"submit","text":"hi","ref":{"a":1}}')).toMatchObject({
      code: "invalid_frame",
    });
  });
});
