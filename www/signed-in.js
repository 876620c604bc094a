// After a rep's sign-in on the relay itself: hand the session token to the widget that
// opened this window (same origin only), or keep it for this origin's pages, and take
// it off the address bar.
const params = new URLSearchParams(location.hash.slice(1));
const message = document.getElementById('message');
const token = params.get('token');
history.replaceState(null, '', location.pathname);
if (token) {
  localStorage.setItem('crmsync-token', token);
  message.textContent = `Signed in as ${params.get('username') ?? 'you'}. You can close this window.`;
  if (window.opener) {
    window.opener.postMessage({ type: 'crmsync-token', token }, location.origin);
    window.close();
  }
} else if (params.get('error')) {
  message.textContent = `Sign-in failed: ${params.get('error')}`;
}
