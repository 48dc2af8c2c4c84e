/**
 * The room of a pair: its layer channel, named by the pair's id. Never derived from an
 * email or any other text a user chose: two different addresses that a transformation made
 * equal (the seed's `.`→`_dot_` scheme made `jane.doe@` and `jane_dot_doe@` one room) would
 * put two pairs in one room. User channels are `user_<id>`, so the two never meet.
 */
export function roomName(pairId: number): string {
  return `chat_${pairId}`;
}
