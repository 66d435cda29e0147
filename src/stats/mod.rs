//! Pure statistics: plain numbers in, plain structs out.
