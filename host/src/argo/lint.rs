//! `omrun argo lint`: what Argo's schema cannot check. (Being written.)
