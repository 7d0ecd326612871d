import { useApolloClient, useMutation } from '@apollo/client';
import { setSession } from './lib/auth';
import { navigate, useRoute } from './lib/router';
import { socketConnections } from './lib/apollo';
import { useSession, useSocketState } from './lib/session';
import { Logout } from './operations';
import { AuctionScreen, AuctionsScreen } from './screens/Auction';
import { SignInScreen, SignUpScreen } from './screens/Auth';
import { ChatScreen } from './screens/Chat';
import { ConsoleScreen } from './screens/Console';
import { ListingScreen } from './screens/Listing';
import { NotificationBadge, NotificationsScreen } from './screens/Notifications';
import { ProfileScreen } from './screens/Profile';
import { SearchScreen } from './screens/Search';
import { StaysScreen } from './screens/Stays';

export function App() {
  const [screen, id] = useRoute();
  const session = useSession();
  const socket = useSocketState();
  const client = useApolloClient();
  const [logout] = useMutation(Logout);

  async function signOut() {
    await logout().catch(() => undefined);
    setSession(null);
    await client.clearStore();
    navigate('/signin');
  }

  const needsSession = ['profile', 'stays', 'chat', 'notifications', 'console'].includes(screen ?? '');
  let body;
  if (needsSession && !session) body = <SignInScreen />;
  else if (screen === 'signup') body = <SignUpScreen />;
  else if (screen === 'signin') body = <SignInScreen />;
  else if (screen === 'profile') body = <ProfileScreen />;
  else if (screen === 'listing' && id) body = <ListingScreen id={id} />;
  else if (screen === 'stays') body = <StaysScreen />;
  else if (screen === 'chat') body = <ChatScreen id={id} />;
  else if (screen === 'notifications') body = <NotificationsScreen />;
  else if (screen === 'console') body = <ConsoleScreen id={id} />;
  else if (screen === 'auctions') body = <AuctionsScreen />;
  else if (screen === 'auction' && id) body = <AuctionScreen id={id} />;
  else body = <SearchScreen />;

  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <a href="#/search" className="brand">
            market
          </a>
          <a href="#/search" className="nav-link">
            Search
          </a>
          <a href="#/auctions" className="nav-link">
            Auctions
          </a>
          {session ? (
            <>
              <a href="#/stays" className="nav-link">
                My stays
              </a>
              <a href="#/chat" className="nav-link">
                Messages
              </a>
              <NotificationBadge key={session.userId} />
              <a href="#/console" className="nav-link">
                Instances
              </a>
              <a href="#/profile" className="nav-link" data-testid="me">
                {session.name}
              </a>
              <button type="button" className="link" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <a href="#/signin" className="nav-link">
                Sign in
              </a>
              <a href="#/signup" className="nav-link">
                Sign up
              </a>
            </>
          )}
          <span
            className={`socket ${socket}`}
            data-testid="socket"
            data-state={socket}
            data-connections={socketConnections}
            title={`Live connection: ${socket}`}
          >
            <span className="sr-only">Live connection: </span>
            {socket === 'connected' ? 'live' : socket}
          </span>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}
