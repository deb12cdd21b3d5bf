// In place of the SDK's event streams (@smithy/core/event-streams) in every bundle (infra/bundling.ts): a protocol
// imports them only for an operation with an event stream, and no client of this project has one. Code run from
// source keeps the SDK's.

throw new Error("the SDK's event streams are not in this bundle: no operation of its clients streams events");
