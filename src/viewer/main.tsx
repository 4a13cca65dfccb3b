/** Entry: the first page's request and code, started before anything renders; styles, global keys, the app. */
import { render } from 'preact';
import { App, loadPage } from './app.js';
import { startFirstRequest } from './first-request.js';
import { installGlobalKeys } from './keys.js';
import { parseRoute } from './route.js';
import './styles.css';

const route = parseRoute(location.hash);
startFirstRequest(route);
void loadPage(route.page)?.catch(() => undefined);
installGlobalKeys();
render(<App />, document.getElementById('app')!);
