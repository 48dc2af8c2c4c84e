/**
 * The chat page's entry: restores the session, shows sign-in or the chat, and ties the
 * client to the browser: `offline`/`online` pause and resume every connection, and unsent
 * messages are kept in `localStorage`.
 */
import { TandemClient, wsBaseOf } from '../../src/client/index.js';
import { byId, safeLocalStorage } from '../shared/dom.js';
import { AnnouncementBanner } from './announcements.js';
import { AuthView } from './auth-view.js';
import { ChatView } from './chat-view.js';

const storage = safeLocalStorage();
const client = new TandemClient({
  httpBase: '',
  wsBase: wsBaseOf(location.origin),
  createSocket: (url) => new WebSocket(url),
  storage,
});

const chat = new ChatView(client, storage);
const banner = new AnnouncementBanner(client, storage);
const auth = new AuthView(client, (user) => {
  auth.hide();
  void openChat(user);
});

async function openChat(user: Parameters<ChatView['show']>[0]): Promise<void> {
  try {
    await chat.show(user);
    void banner.load();
    if (!navigator.onLine) client.pause();
  } catch {
    chat.hide();
    auth.show('Could not load your conversations. Please try again.', true);
  }
}

client.on('signedOut', (reason) => {
  chat.hide();
  banner.hide();
  auth.show(reason === 'logged_out' ? 'You were signed out.' : 'Your session has ended. Please sign in again.');
});

byId('sign-out').addEventListener('click', () => {
  void client.signOut().finally(() => {
    chat.hide();
    banner.hide();
    auth.show('You have signed out.');
  });
});

window.addEventListener('offline', () => client.pause());
window.addEventListener('online', () => client.resume());

async function boot(): Promise<void> {
  let user = null;
  try {
    user = await client.restore();
  } catch {
    auth.show('Cannot reach Tandem right now. Check your connection and reload.', true);
    return;
  }
  if (user) await openChat(user);
  else auth.show();
}

void boot();
