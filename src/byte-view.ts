/**
 * DataViews for reading and writing four bytes at a time in byte loops (escaping on the server,
 * unescaping in the listener). Making one costs an allocation, so the two last asked for are kept:
 * a loop works between one input and one output buffer, each the same for many calls.
 */
let viewed: Buffer[] = [];
let views: DataView[] = [];

export function viewOf(buf: Buffer): DataView {
  if (viewed[0] === buf) return views[0]!;
  if (viewed[1] === buf) return views[1]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  viewed = [buf, viewed[0]!];
  views = [view, views[0]!];
  return view;
}
