import { graphql } from './generated';

/** Every operation the app runs: the generated types and the persisted-operation manifest come from these. */

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    refreshToken
    user {
      id
      name
    }
  }
`);

export const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ... on VerificationSent {
        email
        message
      }
      ... on EmailTaken {
        message
      }
    }
  }
`);

export const VerifyEmail = graphql(`
  mutation VerifyEmail($email: String!, $code: String!) {
    verifyEmail(email: $email, code: $code) {
      ...AuthFields
      ... on InvalidCode {
        message
      }
      ... on CodeExpired {
        message
      }
      ... on TooManyAttempts {
        message
      }
      ... on AccountSuspended {
        message
      }
    }
  }
`);

export const DevOutbox = graphql(`
  query DevOutbox($email: String!) {
    devOutbox(email: $email) {
      id
      subject
      body
      createdAt
    }
  }
`);

export const SignIn = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      ...AuthFields
      ... on InvalidCredentials {
        message
      }
      ... on EmailNotVerified {
        message
      }
      ... on AccountSuspended {
        message
      }
    }
  }
`);

export const RefreshSession = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      ...AuthFields
      ... on InvalidRefreshToken {
        message
      }
      ... on AccountSuspended {
        message
      }
    }
  }
`);

export const Logout = graphql(`
  mutation Logout {
    logout
  }
`);

export const Me = graphql(`
  query Me {
    me {
      id
      name
      email
      role
      bio
      phone
      createdAt
      followerCount
    }
  }
`);

export const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      name
      bio
    }
  }
`);

export const SearchListings = graphql(`
  query SearchListings($text: String, $filter: ListingSearchFilter, $checkIn: Date, $checkOut: Date, $guests: Int, $first: Int) {
    searchListings(text: $text, filter: $filter, checkIn: $checkIn, checkOut: $checkOut, guests: $guests, first: $first) {
      totalCount
      edges {
        node {
          id
          title
          kind
          propertyType
          price
          pricePerNight
          currency
          bedrooms
          address {
            city
            country
          }
          location {
            latitude
            longitude
          }
          coverPhoto {
            id
            url
          }
          images
        }
      }
    }
  }
`);

export const ListingDetail = graphql(`
  query ListingDetail($id: ID!, $from: Date!, $to: Date!) {
    listing(id: $id) {
      id
      title
      description
      kind
      propertyType
      price
      pricePerNight
      cleaningFee
      weeklyDiscountPercent
      monthlyDiscountPercent
      minNights
      maxGuests
      instantBook
      currency
      bedrooms
      bathrooms
      address {
        line1
        city
        country
      }
      images
      photos {
        id
        url
      }
      owner {
        id
        name
      }
      rating {
        average
        count
      }
      reviews(first: 5) {
        id
        rating
        body
        author {
          name
        }
      }
    }
    availability(listingId: $id, from: $from, to: $to) {
      date
      status
    }
  }
`);

export const BookStay = graphql(`
  mutation BookStay($input: BookStayInput!, $key: String) {
    bookStay(input: $input, idempotencyKey: $key) {
      ... on Stay {
        id
        status
        nights
        price {
          nightlyRate
          nights
          nightlySubtotal
          discount
          cleaningFee
          total
          currency
        }
      }
      ... on DatesUnavailable {
        message
      }
      ... on ListingUnavailable {
        message
      }
      ... on TooManyPendingRequests {
        message
      }
    }
  }
`);

export const MyStays = graphql(`
  query MyStays {
    myStays {
      id
      listingTitle
      checkIn
      checkOut
      nights
      guests
      totalPrice
      currency
      status
      listing {
        id
      }
    }
  }
`);

export const StartConversation = graphql(`
  mutation StartConversation($input: StartConversationInput!) {
    startConversation(input: $input) {
      ... on Conversation {
        id
      }
      ... on ParticipantsUnavailable {
        message
      }
    }
  }
`);

export const MyConversations = graphql(`
  query MyConversations {
    me {
      id
      conversations {
        id
        title
        unreadCount
        lastMessageAt
        participants {
          id
          name
        }
      }
    }
  }
`);

export const ConversationMessages = graphql(`
  query ConversationMessages($id: ID!) {
    conversation(id: $id) {
      id
      title
      participants {
        id
        name
      }
      messages(last: 50) {
        id
        body
        createdAt
        sender {
          id
          name
        }
      }
      ...Receipts
    }
  }
`);

export const Receipts = graphql(`
  fragment Receipts on Conversation {
    readReceipts {
      at
      user {
        id
        name
      }
      message {
        id
      }
    }
  }
`);

export const ConversationReceipts = graphql(`
  query ConversationReceipts($id: ID!) {
    conversation(id: $id) {
      id
      ...Receipts
    }
  }
`);

export const InboxUpdated = graphql(`
  subscription InboxUpdated {
    inboxUpdated {
      kind
      conversationId
      unreadCount
      actor {
        id
      }
    }
  }
`);

export const SendMessage = graphql(`
  mutation SendMessage($conversationId: ID!, $body: String!) {
    sendMessage(conversationId: $conversationId, body: $body) {
      id
      body
      createdAt
      sender {
        id
        name
      }
    }
  }
`);

export const MessageAdded = graphql(`
  subscription MessageAdded($conversationId: ID!) {
    messageAdded(conversationId: $conversationId) {
      id
      body
      createdAt
      sender {
        id
        name
      }
    }
  }
`);

export const SetTyping = graphql(`
  mutation SetTyping($conversationId: ID!) {
    setTyping(conversationId: $conversationId)
  }
`);

export const Typing = graphql(`
  subscription Typing($conversationId: ID!) {
    typing(conversationId: $conversationId) {
      at
      user {
        id
        name
      }
    }
  }
`);

export const MarkConversationRead = graphql(`
  mutation MarkConversationRead($conversationId: ID!) {
    markConversationRead(conversationId: $conversationId) {
      id
      unreadCount
    }
  }
`);

export const Notifications = graphql(`
  query Notifications {
    myNotifications(first: 50) {
      id
      kind
      title
      body
      readAt
      createdAt
    }
    unreadNotificationCount
  }
`);

export const UnreadCount = graphql(`
  query UnreadCount {
    unreadNotificationCount
  }
`);

export const NotificationAdded = graphql(`
  subscription NotificationAdded {
    notificationAdded {
      id
      kind
      title
      body
      readAt
      createdAt
    }
  }
`);

export const MarkAllNotificationsRead = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

export const MyInstances = graphql(`
  query MyInstances {
    myInstances(first: 50) {
      edges {
        node {
          id
          status
          host
          port
          createdAt
          machine {
            id
            name
          }
        }
      }
    }
  }
`);

export const InstanceLogs = graphql(`
  subscription InstanceLogs($instanceId: ID!, $tail: Int) {
    instanceLogs(instanceId: $instanceId, tail: $tail) {
      id
      cursor
      at
      stream
      line
    }
  }
`);

export const InstanceStatus = graphql(`
  subscription InstanceStatus($instanceId: ID!) {
    instanceStatusChanged(instanceId: $instanceId) {
      id
      status
    }
  }
`);

export const HostingRequests = graphql(`
  query HostingRequests {
    me {
      id
      listings {
        id
        title
        stays {
          id
          status
          checkIn
          checkOut
          nights
          guests
          totalPrice
          currency
          guest {
            id
            name
          }
        }
      }
    }
  }
`);

export const ConfirmStay = graphql(`
  mutation ConfirmStay($id: ID!, $key: String) {
    confirmStay(id: $id, idempotencyKey: $key) {
      id
      status
    }
  }
`);

export const DeclineStay = graphql(`
  mutation DeclineStay($id: ID!, $key: String) {
    declineStay(id: $id, idempotencyKey: $key) {
      id
      status
    }
  }
`);

export const AuctionFields = graphql(`
  fragment AuctionFields on Auction {
    id
    status
    currency
    startingPrice
    minimumIncrement
    hasReserve
    reserveMet
    endsAt
    bidCount
    highestBid {
      id
      amount
      bidder {
        id
        name
      }
    }
  }
`);

export const Auctions = graphql(`
  query Auctions {
    auctions(status: OPEN, first: 30) {
      edges {
        node {
          ...AuctionFields
          listing {
            id
            title
          }
        }
      }
    }
  }
`);

export const AuctionDetail = graphql(`
  query AuctionDetail($id: ID!) {
    auction(id: $id) {
      ...AuctionFields
      listing {
        id
        title
      }
      seller {
        id
        name
      }
    }
  }
`);

export const AuctionUpdated = graphql(`
  subscription AuctionUpdated($auctionId: ID!) {
    auctionUpdated(auctionId: $auctionId) {
      ...AuctionFields
    }
  }
`);

export const PlaceBid = graphql(`
  mutation PlaceBid($auctionId: ID!, $amount: String!, $key: String!) {
    placeBid(auctionId: $auctionId, amount: $amount, idempotencyKey: $key) {
      ... on BidAccepted {
        commandId
        bid {
          id
          amount
        }
      }
      ... on BidRejected {
        commandId
        message
        minimumAmount
      }
      ... on BidPending {
        commandId
      }
    }
  }
`);

export const BidDecided = graphql(`
  subscription BidDecided($commandId: ID!) {
    bidDecided(commandId: $commandId) {
      ... on BidAccepted {
        commandId
        bid {
          id
          amount
        }
      }
      ... on BidRejected {
        commandId
        message
        minimumAmount
      }
    }
  }
`);
