// The same echo job as bench/lib/tiny-worker.js, as a gmsup worker module (gmsup's own way to run it).
export default async function echo(payload) {
  return payload;
}
