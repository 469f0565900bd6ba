export type { ConfirmPageProps } from "./confirm";
export { AlreadyConfirmedPage, ConfirmPage } from "./confirm";
export type { LandingPageProps } from "./landing";
export { LandingPage } from "./landing";
export type { LayoutProps } from "./layout";
export { Layout } from "./layout";
export type { DataAction, ErasedPageProps, ManagePageProps, ManageSummary } from "./manage";
export {
  ErasedPage,
  ErasePage,
  ExportPage,
  FreshLinkNeededPage,
  LinksSentPage,
  ManagePage,
} from "./manage";
export type { MasterclassPageProps } from "./masterclass";
export { MasterclassPage, PLAY_BEACON_PATH } from "./masterclass";
export type { MessagePageProps } from "./message";
export { MessagePage } from "./message";
export type { PrivacyPageProps } from "./privacy";
export { PrivacyPage } from "./privacy";
export type { SignupFormProps, SignupValues } from "./signup-form";
export { SignupForm } from "./signup-form";
export type { ThanksPageProps } from "./thanks";
export { ThanksPage } from "./thanks";
export type { UnsubscribedPageProps, UnsubscribePageProps } from "./unsubscribe";
export { UnsubscribedPage, UnsubscribePage } from "./unsubscribe";
