// The autoscale benchmark's job: 20 ms of waiting (an I/O-bound job), echoing the payload.
export default async function sleep20(payload) {
  await new Promise((r) => setTimeout(r, 20));
  return payload;
}
