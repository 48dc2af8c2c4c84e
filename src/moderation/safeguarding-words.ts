/**
 * Tandem's default safeguarding list, on under CONVERSATION_POLICY=moderated beside
 * MODERATION_WORDS_FILE: phrases of secrecy, meeting alone, moving off the platform and
 * requests for photos, grouped as the NSPCC's and programmes' guidance ask coordinators to see
 * them first. In the format of a word list file: one phrase a line, `#` for comments, matched
 * on whole words, case- and accent-insensitively, after the reader's view.
 */
export const SAFEGUARDING_WORDS_TEXT = `
# Secrecy
our secret
our little secret
a secret between us
keep it a secret
keep this a secret
keep this between us
keep it between us
just between us
between you and me
dont tell anyone
don't tell anyone
dont tell your parents
don't tell your parents
dont tell your mum
don't tell your mum
dont tell your mom
don't tell your mom
dont tell your dad
don't tell your dad
dont tell your mentor
dont tell the coordinator
nobody needs to know
no one needs to know
delete this message
delete these messages
delete our chat
delete the chat
delete our messages

# Meeting alone
meet up alone
meet me alone
come alone
just the two of us
are you alone
are you home alone
home alone tonight
is anyone home
are your parents home
when are your parents out
where do you live
what is your address
whats your address
what school do you go to
which school do you go to
meet in person
meet up in person
meet me in person
can we meet up
lets meet up
pick you up
i will pick you up

# Moving off the platform
add me on
message me on
text me on
call me on
dm me
pm me
private chat
somewhere more private
talk somewhere else
talk privately
chat privately
move this chat
my personal number
my private number
your personal number

# Photos and what a child is wearing
send me a photo
send me a pic
send me a picture
send a pic
send pics
send me pics
send nudes
send a selfie
send me a selfie
show me a photo of you
show me yourself
turn on your camera
turn your camera on
what are you wearing
what r u wearing
are you in bed
`;
