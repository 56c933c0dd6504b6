/** Page entry: renders the app. */
import { render } from 'preact';

function App() {
  return <h1>Burrow</h1>;
}

render(<App />, document.getElementById('app')!);
