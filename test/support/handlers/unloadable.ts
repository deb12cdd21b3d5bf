// A test-only handler module that refuses to load, as a function whose configuration fails validation does.
throw new Error("Invalid configuration: CURSOR_SECRET: is required");

export const handler = async () => ({ statusCode: 200 });
