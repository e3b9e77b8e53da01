// The cheapest possible callback: measures the listener's own per-event cost.
export default function noop() {}
