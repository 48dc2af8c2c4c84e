/**
 * The room of a pair, named as the seed names it: the two emails sorted, so both sides and
 * every instance derive the same name without asking anyone.
 */
export function roomName(emailA: string, emailB: string): string {
  const [first, second] = [emailA, emailB].sort();
  return `chat_${first}_${second}`.replaceAll('@', '_at_').replaceAll('.', '_dot_');
}
