// The page's entry: the API key field and the hash router (/#/campaigns, /#/campaigns/KEY,
// /#/factories). Each view returns a function that stops its timers and streams when the
// route changes.
import { apiKey, setApiKey } from './api.js';
import { fill, h } from './dom.js';
import { campaignsView } from './views/campaigns.js';
import { campaignView } from './views/campaign.js';
import { clusterView } from './views/cluster.js';

const view = document.getElementById('view');
let stopView = () => {};

function route() {
  stopView();
  const hash = location.hash.replace(/^#\/?/, '');
  const [section, ...rest] = hash.split('/');
  const key = rest.length ? decodeURIComponent(rest.join('/')) : '';
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === (section || 'campaigns'));
  if ((section === 'campaigns' || section === '') && !key) stopView = campaignsView(view);
  else if (section === 'campaigns') stopView = campaignView(view, key);
  else if (section === 'factories') stopView = clusterView(view);
  else {
    fill(view, h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/campaigns' }, 'See the campaigns.')));
    stopView = () => {};
  }
}

function keyField() {
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  const state = document.getElementById('key-state');
  const show = () => (state.textContent = apiKey() ? 'key set' : '');
  input.value = apiKey();
  show();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    setApiKey(input.value.trim());
    show();
    route(); // reload the view with the new key
  });
}

keyField();
window.addEventListener('hashchange', route);
route();
