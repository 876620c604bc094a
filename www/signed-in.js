// After a rep's sign-in on the relay itself: keep the session token for this origin's
// pages (the embeddable widget) and take it off the address bar.
const params = new URLSearchParams(location.hash.slice(1));
const message = document.getElementById('message');
if (params.get('token')) {
  localStorage.setItem('crmsync-token', params.get('token'));
  message.textContent = `Signed in as ${params.get('username') ?? 'you'}. You can close this tab.`;
} else if (params.get('error')) {
  message.textContent = `Sign-in failed: ${params.get('error')}`;
}
history.replaceState(null, '', location.pathname);
