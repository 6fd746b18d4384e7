"""Builds common_passwords.txt, the blocklist identity refuses (NIST SP 800-63B 5.1.1.2).

Run it to regenerate the file after changing the word lists:

    .venv/bin/python -m services.identity.domain.data.build_blocklist

The list holds the passwords most often found in breach corpora and the patterns people
reach for when told "at least 15 characters": a common word or name padded with digits,
doubled, or followed by a year; keyboard walks; digit runs; well-known phrases. Entries
are lower case; identity compares case-insensitively, with separators removed.
"""
from pathlib import Path

TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123
baseball abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321
mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe
killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew
tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster
112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom
777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley
nicole chelsea biteme matthew access yankees 987654321 dallas austin thunder taylor matrix
william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer silver
222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange
11111 golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky
snoopy maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea
smokey steelers joseph mercedes dakota arsenal eagles melissa boomer booboo spider nascar
monster tigers yellow xxxxxx 123123123 gateway marina diablo bulldog qwer1234 compaq purple
hardcore banana junior hannah 123654 porsche lakers iceman money cowboys 987654 london
tennis 999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon yamaha chester
mother forever johnny edward 333333 oliver redsox player nikita knight fender barney
midnight please brandy chicago badboy slayer rangers charles angel flower rabbit wizard
bigdick jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine
winter prince panties marine ghbdtn fishing cocacola casper james 232323 raiders 888888
marlboro gandalf asdfasdf crystal 87654321 12344321 golden 8675309 hello123 hunter2
admin admin123 administrator root toor changeme passw0rd p@ssw0rd p@ssword password1
password123 password1234 qwerty123 qwerty1 1q2w3e 1q2w3e4r5t 1qaz2wsx3edc zaq12wsx
abcd1234 abc12345 aa123456 a123456 123abc 123qweasd qweasdzxc qwe123 asd123 zxc123
welcome1 welcome123 letmein1 monkey1 dragon1 sunshine1 iloveyou1 princess1 football1
baseball1 superman1 batman1 trustno1 starwars1 master1 shadow1 michael1 jordan23 loveme
lovely babygirl family friends flowers butterfly beautiful hottie angels secret123
therapy therapist counseling counselor wellness mindful healing recovery portal patient
client clinic doctor nurse health haven
"""

WORDS = """
password passw0rd letmein welcome iloveyou loveyou princess dragon monkey sunshine shadow
master football baseball soccer hockey basketball superman batman spiderman starwars
pokemon minecraft fortnite charlie michael jennifer jessica ashley amanda daniel matthew
andrew joshua thomas robert william richard joseph james david christopher anthony john
jordan taylor morgan hunter tigger buster pepper ginger maggie bailey chester cookie
summer winter spring autumn freedom whatever trustno1 qwerty qwertyuiop asdfghjkl zxcvbnm
abc123 admin administrator computer internet samsung iphone android google facebook
secret hello hellokitty chocolate cheese banana orange apple strawberry cherry flower
flowers butterfly rainbow angel angels beautiful babygirl baby lovely love lover family
friends forever jesus jesuschrist blessed god heaven christ faith hope peace happy smile
sweet sweetheart honey sugar cupcake mommy daddy mother father sister brother america
london paris newyork chicago texas california florida boston dallas yankees redsox
cowboys steelers eagles lakers liverpool chelsea arsenal barcelona madrid ferrari porsche
mustang corvette mercedes harley yamaha guitar music rockstar rocknroll killer ninja
pirate dragonball naruto matrix phoenix falcon eagle tiger lion wolf bear panther shark
hammer thunder lightning diamond silver golden gold money dollar millionaire winner
champion legend player gamer hacker wizard merlin gandalf frodo hobbit hogwarts
harrypotter snoopy garfield scooby mickey minnie disney barbie princess1 teddybear puppy
kitty kitten doggie puppylove pussycat bulldog bigdog dolphin turtle monkey1 donkey
horse pony unicorn coffee pizza burger chicken cookie1 peanut butter biscuit muffin
summertime sunflower moonlight starlight midnight sunrise sunset ocean beach island
mountain river forest garden nature country welcome1 changeme default guest user login
access letmein1 passport office work school college student teacher doctor nurse
therapy therapist counseling counselor wellness mindful mindfulness healing recovery
health healthy portal patient client clinic haven telehealth appointment
"""

PHRASES = """
iloveyou|iloveyouforever|iloveyousomuch|iloveyoubaby|iloveyoumore|iloveyoutoo
iloveyoumom|iloveyoudad|iloveyouall|ilovemykids|ilovemyfamily|ilovemydog|ilovemycat
ilovegod|ilovejesus|iloveyoujesus|ihateyou|ihatemylife|imissyou|youaremysunshine
letmein|letmeinplease|letmeinnow|openthedoor|opensesame|changeme|changemeplease
changemenow|changeit|thisismypassword|thisisapassword|thisismynewpassword|mypassword
mynewpassword|mypasswordis|newpassword|passwordpassword|password1password|secretpassword
supersecret|supersecretpassword|topsecret|itsasecret|trustnoone|trustnoone1|nopassword
forgotpassword|iforgotmypassword|idontknow|idontcare|whatever|whateverwhatever
correcthorsebatterystaple|correct horse battery staple|thequickbrownfox
thequickbrownfoxjumpsoverthelazydog|the quick brown fox jumps over the lazy dog
maytheforcebewithyou|may the force be with you|nevergonnagiveyouup|never gonna give you up
tobeornottobe|to be or not to be|iamtheone|iamthebest|iamgod|imthebest|welcometomyworld
welcomehome|welcome to the jungle|helloworld|hello world|hellothere|goodmorning
goodnight|happybirthday|merrychristmas|happynewyear|onetwothreefour|onetwothree
abcdefghijklmnop|abcdefghijklmnopqrstuvwxyz|qwertyuiopasdfgh|qwertyuiopasdfghjkl
qwertyuiopasdfghjklzxcvbnm|asdfghjklzxcvbnm|1qaz2wsx3edc4rfv|1qaz2wsx3edc4rfv5tgb
qazwsxedcrfvtgb|qazwsxedcrfvtgbyhn|1q2w3e4r5t6y7u8i|1q2w3e4r5t6y7u8i9o0p
q1w2e3r4t5y6u7i8|q1w2e3r4t5y6u7i8o9p0|zaq1xsw2cde3vfr4|zaq12wsxcde34rfv
123456789012345|1234567890123456|12345678901234567890|123456789abcdefg
098765432109876|0987654321098765|987654321098765|147258369147258|159357159357159
qwerty123456789|qwertyqwertyqwerty|asdfasdfasdfasdf|password123456789
passwordpassword1|letmeinletmein|iloveyouiloveyou|trustno1trustno1|welcomewelcome
godblessamerica|godisgood|godisgreat|jesusloves me|jesuslovesme|jesusismylord
blessedandhighlyfavored|livelaughlove|live laugh love|carpediem|yolo yolo yolo
justdoit|just do it|nothingtolose|neverforget|foreveryoung|forever and always
foreverandever|alwaysandforever|allyouneedislove|loveislove|peaceandlove
sunshineandrainbows|rainbowsandunicorns|mickeymouse|spongebobsquarepants
"""

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678",
            "123456789", "1234567890", "!", "1!", "123!", "!!", "01", "007", "69", "99",
            "2020", "2021", "2022", "2023", "2024", "2025", "2026", "0000", "1111"]

KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _padded(word, length=15):
    """How people stretch a short favourite to a minimum length."""
    out = {word + word, word + word + word}
    digits = "1234567890" * 3
    if len(word) < length:
        out.add(word + digits[:length - len(word)])
        out.add(word + digits[:length - len(word) + 1])
        out.add(word + "!" * (length - len(word)))
        out.add(word + "1" * (length - len(word)))
    return out


def build():
    words = set(TOP.split())
    bases = WORDS.split()
    for base in bases:
        for suffix in SUFFIXES:
            words.add(base + suffix)
        words |= _padded(base)
    for phrase in PHRASES.replace("\n", "|").split("|"):
        phrase = phrase.strip()
        if not phrase:
            continue
        words.add(phrase)
        for suffix in ("1", "123", "1234", "!", "2024", "2025", "2026"):
            words.add(phrase + suffix)
        words |= _padded(phrase.replace(" ", ""))
    # digit runs and repeats of every useful length
    for digit in "0123456789":
        for n in range(6, 33):
            words.add(digit * n)
    run = "1234567890" * 4
    rev = "0987654321" * 4
    for n in range(6, 33):
        words.add(run[:n])
        words.add(rev[:n])
    # keyboard walks
    walk = "".join(KEYBOARD_ROWS[1:])
    for n in range(6, len(walk) + 1):
        words.add(walk[:n])
    return sorted(w.lower() for w in words if len(w) >= 4)


def main():
    path = Path(__file__).with_name("common_passwords.txt")
    entries = build()
    path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} entries to {path}")


if __name__ == "__main__":
    main()
