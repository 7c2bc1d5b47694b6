//! A well-formed component that is not a connector: its world exports one function, `greet`, and
//! imports nothing of omrun's contract. Loading it as a plugin must fail with one error naming the
//! file and saying it implements neither world of the contract (tests/tests/config/malformed/).

wit_bindgen::generate!({
    inline: "
        package test:other;

        world greeter {
            export greet: func(name: string) -> string;
        }
    ",
});

struct Greeter;

impl Guest for Greeter {
    fn greet(name: String) -> String {
        format!("hello, {name}")
    }
}

export!(Greeter);
